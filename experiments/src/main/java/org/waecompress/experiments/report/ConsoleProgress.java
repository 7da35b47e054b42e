package org.waecompress.experiments.report;

import java.io.PrintStream;
import java.util.Locale;
import org.waecompress.spi.train.Progress;
import org.waecompress.spi.train.ProgressEvent;
import org.waecompress.spi.train.ProgressListener;

/**
 * Renders progress as a one-line bar with rate and ETA on a terminal (carriage return updates), or
 * as occasional plain lines when the output is not a terminal (CI logs).
 */
public final class ConsoleProgress implements ProgressListener {

    private final PrintStream out;
    private final boolean interactive;
    private String lastTask = "";
    private long lastPlain;

    /**
     * Creates the renderer.
     *
     * @param out the stream (standard error)
     * @param interactive whether to redraw one line in place
     */
    public ConsoleProgress(PrintStream out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    /**
     * Creates a renderer on standard error, redrawing in place when a console is attached.
     *
     * @return the renderer
     */
    public static ConsoleProgress stderr() {
        return new ConsoleProgress(System.err, System.console() != null);
    }

    @Override
    public synchronized void progress(ProgressEvent e) {
        int width = 24;
        int filled = e.total() == 0 ? width : (int) (width * e.done() / e.total());
        String bar = "#".repeat(filled) + ".".repeat(width - filled);
        String line = String.format(Locale.ROOT, "%s [%s] %d/%d  %s elapsed, ETA %s  %s", e.task(), bar, e.done(),
                e.total(), Progress.formatDuration(e.elapsedSeconds()), Progress.formatDuration(e.etaSeconds()),
                e.detail()).stripTrailing();
        if (interactive) {
            out.print("\r" + line + " ".repeat(Math.max(0, 10)) + (e.finished() ? "\n" : ""));
            out.flush();
            return;
        }
        long now = System.nanoTime();
        boolean newTask = !e.task().equals(lastTask);
        if (newTask || e.finished() || now - lastPlain > 10_000_000_000L) {
            out.println(line);
            lastPlain = now;
            lastTask = e.task();
        }
    }

    @Override
    public synchronized void message(String text) {
        out.println(text);
    }
}

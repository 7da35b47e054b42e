package org.waecompress.experiments.harness;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.waecompress.spi.train.ProgressEvent;
import org.waecompress.spi.train.ProgressListener;

/**
 * Passes progress on to the console and keeps every message (the per-epoch loss summaries with
 * their terms, skipped rows, resume notes) in the run folder's {@code log.txt}, each line stamped
 * with the time. A resumed run appends to the same log.
 */
final class RunLog implements ProgressListener, AutoCloseable {

    private final ProgressListener delegate;
    private final BufferedWriter out;

    /**
     * Opens the log.
     *
     * @param delegate where progress and messages also go
     * @param file the log file (created, or appended to)
     */
    RunLog(ProgressListener delegate, Path file) {
        this.delegate = delegate == null ? ProgressListener.NONE : delegate;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the run log " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void progress(ProgressEvent event) {
        delegate.progress(event);
    }

    @Override
    public void message(String text) {
        delegate.message(text);
        note(text);
    }

    /**
     * Writes a line to the log only (not to the console).
     *
     * @param text the line
     */
    synchronized void note(String text) {
        try {
            out.write(Instant.now().truncatedTo(ChronoUnit.SECONDS) + " " + text);
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the run log: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the run log: " + e.getMessage(), e);
        }
    }
}

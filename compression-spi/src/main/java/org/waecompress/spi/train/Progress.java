package org.waecompress.spi.train;

/**
 * Tracks one task's progress and estimates the time left from the average rate so far.
 *
 * <p>Calls its listener at most every {@code minIntervalMillis} (and always at the end), so it can
 * be stepped once per batch.
 */
public final class Progress {

    private final ProgressListener listener;
    private final String task;
    private final long total;
    private final long start;
    private final long minIntervalNanos;
    private long done;
    private long lastReport;

    /**
     * Starts tracking.
     *
     * @param listener where to report
     * @param task the task's description
     * @param total units in all
     */
    public Progress(ProgressListener listener, String task, long total) {
        this(listener, task, total, 200);
    }

    /**
     * Starts tracking with a custom report interval.
     *
     * @param listener where to report
     * @param task the task's description
     * @param total units in all
     * @param minIntervalMillis the shortest interval between reports
     */
    public Progress(ProgressListener listener, String task, long total, long minIntervalMillis) {
        this.listener = listener;
        this.task = task;
        this.total = total;
        this.start = System.nanoTime();
        this.minIntervalNanos = minIntervalMillis * 1_000_000L;
        this.lastReport = start - minIntervalNanos;
    }

    /**
     * Records finished units and reports if due.
     *
     * @param units units just finished
     * @param detail a short status
     */
    public void step(long units, String detail) {
        done += units;
        long now = System.nanoTime();
        if (done >= total || now - lastReport >= minIntervalNanos) {
            lastReport = now;
            double elapsed = (now - start) / 1e9;
            double eta = done == 0 ? -1 : elapsed * (total - done) / done;
            listener.progress(new ProgressEvent(task, Math.min(done, total), total, elapsed, eta, detail));
        }
    }

    /**
     * Returns the seconds since tracking started.
     *
     * @return the elapsed time
     */
    public double elapsedSeconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * Formats seconds as {@code 1h02m}, {@code 3m07s} or {@code 12s}.
     *
     * @param seconds the duration
     * @return the text
     */
    public static String formatDuration(double seconds) {
        if (seconds < 0 || !Double.isFinite(seconds)) {
            return "?";
        }
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format(java.util.Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        }
        if (s >= 60) {
            return String.format(java.util.Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return s + "s";
    }
}

package org.waecompress.spi.train;

/**
 * Receives progress of long work (training epochs, evaluation, a benchmark row). Front ends render
 * it (a console bar with ETA); libraries only report.
 */
public interface ProgressListener {

    /** A listener that ignores everything. */
    ProgressListener NONE = new ProgressListener() {
        @Override
        public void progress(ProgressEvent event) {}

        @Override
        public void message(String text) {}
    };

    /**
     * Reports progress of a task.
     *
     * @param event the task, how far it is and its estimated time left
     */
    void progress(ProgressEvent event);

    /**
     * Reports a line worth keeping (an epoch summary).
     *
     * @param text the line
     */
    void message(String text);

    /**
     * Returns a listener that passes each message line on and ignores progress bars (a log, a test's
     * record).
     *
     * @param lines where the lines go
     * @return the listener
     */
    static ProgressListener messages(java.util.function.Consumer<String> lines) {
        return new ProgressListener() {
            @Override
            public void progress(ProgressEvent event) {}

            @Override
            public void message(String text) {
                lines.accept(text);
            }
        };
    }
}

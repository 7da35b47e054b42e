package org.waecompress.spi.train;

/**
 * How far one task is.
 *
 * @param task what is running, for example {@code train epoch 2/3}
 * @param done units finished
 * @param total units in all
 * @param elapsedSeconds seconds since the task started
 * @param etaSeconds estimated seconds left, or -1 when unknown
 * @param detail a short status, for example the running loss
 */
public record ProgressEvent(String task, long done, long total, double elapsedSeconds, double etaSeconds,
        String detail) {

    /**
     * Returns whether the task has finished.
     *
     * @return true when {@code done >= total}
     */
    public boolean finished() {
        return done >= total;
    }
}

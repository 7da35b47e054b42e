package org.waecompress.spi.spec;

import ai.djl.ndarray.NDArray;

/**
 * Receives the values that flow through uncalibrated {@link QuantizeSpec} nodes (scale 0) while a
 * network runs: how a calibration pass sees every point that will be quantized. The observer is
 * per thread and set for the duration of a {@code try} block with {@link #install}.
 */
@FunctionalInterface
public interface QuantObserver {

    /**
     * Receives one batch's values at one point.
     *
     * @param point the point's number ({@link QuantizeSpec#point()})
     * @param values the values, in the batch's manager (read them, do not keep them)
     */
    void observe(int point, NDArray values);

    /**
     * Makes an observer current on this thread until the returned handle is closed.
     *
     * @param observer the observer
     * @return closes the observation (restoring the previous observer)
     */
    static Installed install(QuantObserver observer) {
        QuantObserver previous = Holder.CURRENT.get();
        Holder.CURRENT.set(observer);
        return () -> Holder.CURRENT.set(previous);
    }

    /**
     * Returns the current observer of this thread.
     *
     * @return the observer, or null
     */
    static QuantObserver current() {
        return Holder.CURRENT.get();
    }

    /** Closes an observation; never throws. */
    interface Installed extends AutoCloseable {
        @Override
        void close();
    }

    /** The per-thread observer. */
    final class Holder {
        private static final ThreadLocal<QuantObserver> CURRENT = new ThreadLocal<>();

        private Holder() {}
    }
}

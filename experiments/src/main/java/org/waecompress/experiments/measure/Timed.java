package org.waecompress.experiments.measure;

import java.util.Random;

/**
 * A network ready to be timed on one engine. {@link Latency#alternate} calls {@link #prepare}
 * (untimed: a random input batch), then {@link #run} (timed: the forward pass and reading every
 * output back, which waits for the computation), then {@link #release} (untimed).
 */
public interface Timed extends AutoCloseable {

    /**
     * Makes the next run's input.
     *
     * @param batch the batch size
     * @param random the source of its values
     */
    void prepare(int batch, Random random);

    /** Runs the network on the prepared input and reads the output back. */
    void run();

    /**
     * Waits until the device has finished all the work queued so far. {@link Latency#alternate} calls it
     * before reading the clock at both ends of a timed run, so a GPU's asynchronous kernels are counted in
     * the run that queued them. A CPU engine computes synchronously: the default does nothing.
     */
    default void sync() {
    }

    /** Frees the last run's input and output. */
    void release();

    @Override
    void close();
}

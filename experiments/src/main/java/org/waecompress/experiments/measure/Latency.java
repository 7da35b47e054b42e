package org.waecompress.experiments.measure;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.LongSupplier;
import org.waecompress.experiments.onnx.OrtNetwork;
import org.waecompress.spi.train.Progress;
import org.waecompress.spi.train.ProgressListener;

/**
 * CPU latency of networks on one engine, measured alternately in one process.
 *
 * <p>Protocol (DESIGN.md, "Measurement rules"): a warm-up, then {@code runs} rounds in which every
 * network is timed once in turn, optionally after an idle gap (the duty cycle); each timing covers
 * the forward pass and reading the output back (which waits for the computation). Inputs are made
 * outside the timed region ({@link Timed}). Report medians and 90th percentiles; speed-ups are
 * ratios of medians from the same call.
 */
public final class Latency {

    /**
     * Timings of one network.
     *
     * @param batch the batch size
     * @param medianMs the median milliseconds per forward pass
     * @param p90Ms the 90th percentile
     * @param runs the number of timed runs
     */
    public record Stats(int batch, double medianMs, double p90Ms, int runs) {
        /**
         * Returns images per second at the median.
         *
         * @return the throughput
         */
        public double imagesPerSecond() {
            return batch * 1000.0 / medianMs;
        }

        /**
         * Returns how many times faster this network ran than a baseline: the baseline's median over this one's.
         * Every speed-up the project prints (tables, forks, {@code waec latency}) is this ratio.
         *
         * @param baseline the baseline timed in the same process
         * @return {@code baseline.medianMs / medianMs}: above 1 when this network is faster
         */
        public double speedupOver(Stats baseline) {
            return baseline.medianMs / medianMs;
        }
    }

    private Latency() {}

    /**
     * Times networks alternately: {@code warmup} untimed rounds, then {@code runs} rounds in which
     * every network is timed once in turn, each run after {@code gapMs} of idle time (0: back to
     * back). Inputs are random values from a fixed seed, made outside the timed region.
     *
     * @param nets the networks
     * @param batch the batch size
     * @param warmup untimed rounds first
     * @param runs timed rounds
     * @param gapMs idle milliseconds before each timed run
     * @param listener progress
     * @return one result per network, in order (none when {@code runs} is 0: a warm-up only)
     */
    public static List<Stats> alternate(List<? extends Timed> nets, int batch, int warmup, int runs, int gapMs,
            ProgressListener listener) {
        return alternate(nets, batch, warmup, runs, gapMs, listener, System::nanoTime);
    }

    /**
     * Times networks alternately (as {@link #alternate(List, int, int, int, int, ProgressListener)}) with a
     * given clock: each timed run is {@code sync, clock, run, sync, clock}, so work a device still has
     * queued never leaks into the next reading.
     *
     * @param nets the networks
     * @param batch the batch size
     * @param warmup untimed rounds first
     * @param runs timed rounds
     * @param gapMs idle milliseconds before each timed run
     * @param listener progress
     * @param clock nanoseconds
     * @return one result per network, in order
     */
    static List<Stats> alternate(List<? extends Timed> nets, int batch, int warmup, int runs, int gapMs,
            ProgressListener listener, LongSupplier clock) {
        double[][] ms = new double[nets.size()][runs];
        Random random = new Random(batch * 31L + nets.size());
        Progress p = new Progress(listener, "latency (batch " + batch + ")", (long) (warmup + runs) * nets.size());
        String where = "latency (batch " + batch + ")";
        for (int r = -warmup; r < runs; r++) {
            org.waecompress.spi.error.StopRequest.check(where);
            for (int i = 0; i < nets.size(); i++) {
                Timed t = nets.get(i);
                t.prepare(batch, random);
                try {
                    if (gapMs > 0) {
                        sleep(gapMs);
                    }
                    t.sync();
                    long t0 = clock.getAsLong();
                    t.run();
                    t.sync();
                    long t1 = clock.getAsLong();
                    if (r >= 0) {
                        ms[i][r] = (t1 - t0) / 1e6;
                    }
                } finally {
                    t.release();
                }
                p.step(1, "");
            }
        }
        List<Stats> out = new ArrayList<>();
        if (runs == 0) {
            return out;  // a warm-up only
        }
        for (double[] t : ms) {
            double[] sorted = t.clone();
            Arrays.sort(sorted);
            out.add(new Stats(batch, percentile(sorted, 50), percentile(sorted, 90), runs));
        }
        return out;
    }

    private static void sleep(int ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while idling between timed runs", e);
        }
    }

    /**
     * Returns a percentile of sorted values (linear interpolation).
     *
     * @param sorted ascending values
     * @param pct the percentile in [0, 100]
     * @return the value
     */
    public static double percentile(double[] sorted, double pct) {
        if (sorted.length == 1) {
            return sorted[0];
        }
        double pos = pct / 100.0 * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    /**
     * Returns the median of some values (the mean of the middle two for an even count).
     *
     * @param values the values, in any order; not changed
     * @return the median
     */
    public static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return percentile(sorted, 50);
    }

    /**
     * Returns the intra-op thread count the engine runs with.
     *
     * @return the value of {@code ai.djl.pytorch.num_threads}, or the number of processors
     */
    public static int threads() {
        return OrtNetwork.defaultThreads();
    }
}

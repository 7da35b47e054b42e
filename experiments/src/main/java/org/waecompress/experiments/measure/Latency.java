package org.waecompress.experiments.measure;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.train.Progress;
import org.waecompress.spi.train.ProgressListener;

/**
 * CPU latency of built networks, measured alternately in one process.
 *
 * <p>Protocol (DESIGN.md, "Measurement rules"): parameters frozen so no autograd graph is
 * recorded, a warm-up, then {@code runs} rounds in which every network is timed once in turn; each
 * timing covers the forward pass and reading the output back (which waits for the computation). A
 * random input is made in a per-run manager outside the timed region. Report medians and 90th
 * percentiles; speed-ups are ratios of medians from the same call.
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
    }

    private Latency() {}

    /**
     * Times networks alternately.
     *
     * @param nets the built networks
     * @param batch the batch size
     * @param warmup untimed rounds first
     * @param runs timed rounds
     * @param listener progress
     * @return one result per network, in order
     */
    public static List<Stats> alternate(List<BuiltNetwork> nets, int batch, int warmup, int runs,
            ProgressListener listener) {
        for (BuiltNetwork b : nets) {
            b.block().freezeParameters(true);
        }
        double[][] ms = new double[nets.size()][runs];
        Progress p = new Progress(listener, "latency (batch " + batch + ")", (long) (warmup + runs) * nets.size());
        for (int r = -warmup; r < runs; r++) {
            for (int i = 0; i < nets.size(); i++) {
                BuiltNetwork b = nets.get(i);
                try (NDManager m = b.manager().newSubManager()) {
                    Shape s = new Shape(batch).addAll(b.spec().inputShape());
                    NDArray x = m.randomUniform(0f, 1f, s);
                    long t0 = System.nanoTime();
                    NDArray y = b.predict(x);
                    y.toFloatArray();
                    long t1 = System.nanoTime();
                    if (r >= 0) {
                        ms[i][r] = (t1 - t0) / 1e6;
                    }
                }
                p.step(1, "");
            }
        }
        List<Stats> out = new ArrayList<>();
        for (double[] t : ms) {
            double[] sorted = t.clone();
            Arrays.sort(sorted);
            out.add(new Stats(batch, percentile(sorted, 50), percentile(sorted, 90), runs));
        }
        return out;
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
        String t = System.getProperty("ai.djl.pytorch.num_threads");
        return t == null ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(t.trim());
    }
}

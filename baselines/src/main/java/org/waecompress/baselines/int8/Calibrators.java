package org.waecompress.baselines.int8;

/**
 * How a quantization point's range is chosen from the values seen at it during calibration, and how
 * a range becomes a uint8 scale and zero point. Pure functions of the statistics, so each is tested
 * against a hand-computed answer.
 *
 * <ul>
 *   <li>{@code minmax}: the smallest and largest value seen (ONNX Runtime's default).</li>
 *   <li>{@code percentile}: the magnitude below which the given percentage of values lie, from a
 *       histogram of |x|; the range is the seen one clipped to that magnitude.</li>
 *   <li>{@code entropy}: the clipping magnitude whose quantized histogram is closest to the seen one
 *       in Kullback-Leibler divergence (TensorRT's calibrator, as ONNX Runtime's entropy calibrator
 *       computes it: candidates from as many bins as there are quantization levels up to all bins,
 *       outliers folded into the last bin, each level's count spread over its non-empty bins, both
 *       distributions smoothed with 1e-4).</li>
 * </ul>
 */
public final class Calibrators {

    /** Bins of the |x| histogram the percentile and entropy calibrators read. */
    public static final int BINS = 2048;

    private static final double SMOOTHING = 1e-4;

    private Calibrators() {}

    /**
     * A range to quantize, always containing zero.
     *
     * @param low the smallest value represented
     * @param high the largest value represented
     */
    public record Range(double low, double high) {
        /** Widens the range to contain 0 (zero must be exact: padding and ReLU produce it). */
        public Range {
            low = Math.min(low, 0);
            high = Math.max(high, 0);
        }

        /**
         * Returns the uint8 step of this range.
         *
         * @return {@code (high - low) / 255}
         */
        public float scale() {
            return (float) ((high - low) / 255.0);
        }

        /**
         * Returns the uint8 value that stands for 0.0.
         *
         * @return {@code round(-low / scale)} in 0..255
         */
        public int zeroPoint() {
            return (int) Math.max(0, Math.min(255, Math.rint(-low / scale())));
        }
    }

    /**
     * The min-max range.
     *
     * @param min the smallest value seen
     * @param max the largest value seen
     * @return the range
     */
    public static Range minMax(double min, double max) {
        return new Range(min, max);
    }

    /**
     * Clips the seen range to a magnitude.
     *
     * @param min the smallest value seen
     * @param max the largest value seen
     * @param magnitude the clipping magnitude
     * @return the range {@code [max(min, -magnitude), min(max, magnitude)]}
     */
    public static Range clipped(double min, double max, double magnitude) {
        return new Range(Math.max(min, -magnitude), Math.min(max, magnitude));
    }

    /**
     * The magnitude below which {@code percentile} percent of the values lie: the upper edge of the
     * first bin where the cumulative count reaches that share.
     *
     * @param histogram counts of |x| in equal bins from 0
     * @param binWidth the width of a bin
     * @param percentile in (0, 100]
     * @return the magnitude
     */
    public static double percentile(long[] histogram, double binWidth, double percentile) {
        long total = 0;
        for (long c : histogram) {
            total += c;
        }
        double target = total * percentile / 100.0;
        long cumulative = 0;
        int last = histogram.length - 1;
        for (int i = 0; i < last; i++) {
            cumulative += histogram[i];
            if (cumulative >= target) {
                return (i + 1) * binWidth;
            }
        }
        return histogram.length * binWidth;
    }

    /**
     * The clipping magnitude of least KL divergence between the seen distribution of |x| and its
     * quantization to {@code levels} levels.
     *
     * @param histogram counts of |x| in equal bins from 0
     * @param binWidth the width of a bin
     * @param levels the quantization levels over the magnitude (256 for values that are never negative,
     *     128 for signed ones, which share uint8's 256 levels between both signs)
     * @return the magnitude: the upper edge of the chosen candidate's last bin
     */
    public static double entropy(long[] histogram, double binWidth, int levels) {
        int n = histogram.length;
        if (n <= levels) {
            return n * binWidth;
        }
        double best = Double.POSITIVE_INFINITY;
        int bestBins = n;
        for (int i = levels; i <= n; i++) {
            double kl = divergence(histogram, i, levels);
            if (kl < best) {
                best = kl;
                bestBins = i;
            }
        }
        return bestBins * binWidth;
    }

    /**
     * The KL divergence of one candidate: the first {@code bins} bins with the outliers folded into
     * the last, against the same bins merged into {@code levels} levels and spread back.
     *
     * @param histogram the histogram
     * @param bins the candidate's bins
     * @param levels the quantization levels
     * @return the divergence, in nats
     */
    static double divergence(long[] histogram, int bins, int levels) {
        double[] p = new double[bins];
        for (int j = 0; j < bins; j++) {
            p[j] = histogram[j];
        }
        for (int j = bins; j < histogram.length; j++) {
            p[bins - 1] += histogram[j];
        }
        double[] q = new double[bins];
        int merged = bins / levels;
        for (int level = 0; level < levels; level++) {
            int from = level * merged;
            int to = level == levels - 1 ? bins : from + merged;
            double sum = 0;
            int nonZero = 0;
            for (int j = from; j < to; j++) {
                sum += histogram[j];
                if (histogram[j] != 0) {
                    nonZero++;
                }
            }
            for (int j = from; j < to; j++) {
                q[j] = histogram[j] != 0 ? sum / nonZero : 0;
            }
        }
        double[] ps = smooth(p);
        double[] qs = smooth(q);
        if (ps == null || qs == null) {
            return Double.POSITIVE_INFINITY;
        }
        double kl = 0;
        for (int j = 0; j < bins; j++) {
            if (ps[j] > 0) {
                kl += ps[j] * Math.log(ps[j] / qs[j]);
            }
        }
        return kl;
    }

    /**
     * Normalises counts to a distribution and gives every empty bin a probability of 1e-4, taken
     * evenly from the non-empty ones (ONNX Runtime's {@code smooth_distribution}).
     *
     * @param counts the counts
     * @return the distribution, or null when it has no mass or cannot be smoothed
     */
    static double[] smooth(double[] counts) {
        double total = 0;
        int zeros = 0;
        for (double c : counts) {
            total += c;
            if (c == 0) {
                zeros++;
            }
        }
        int nonZeros = counts.length - zeros;
        if (total == 0 || nonZeros == 0) {
            return null;
        }
        double take = SMOOTHING * zeros / nonZeros;
        double[] out = new double[counts.length];
        for (int j = 0; j < counts.length; j++) {
            double p = counts[j] / total;
            out[j] = counts[j] == 0 ? SMOOTHING : p - take;
        }
        for (double v : out) {
            if (v <= 0) {
                return null;
            }
        }
        return out;
    }
}

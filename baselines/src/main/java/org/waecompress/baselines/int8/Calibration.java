package org.waecompress.baselines.int8;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.error.DataException;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.QuantObserver;
import org.waecompress.spi.train.ProgressListener;

/**
 * Runs a network with uncalibrated quantization points over calibration images and turns what each
 * point saw into its range: one pass for the smallest and largest values, and for the percentile and
 * entropy calibrators a second pass that fills a histogram of |x| over [0, largest magnitude] (exact
 * zeros counted apart: the percentile counts them, the entropy search leaves them out, as
 * pytorch-quantization's {@code skip_zeros} does, because a ReLU's zeros stay exact at any range).
 */
final class Calibration {

    /** What one point saw. */
    static final class Stats {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        long[] histogram;
        long zeros;
        double binWidth;

        double magnitude() {
            return Math.max(Math.abs(min), Math.abs(max));
        }
    }

    private Calibration() {}

    /**
     * Calibrates every point of a planned network.
     *
     * @param observing the network with uncalibrated points (and float weighted layers)
     * @param planned what the pass planned (point count and labels)
     * @param images the calibration images
     * @param indices which images
     * @param batch images per forward pass
     * @param calibrator {@code minmax}, {@code percentile} or {@code entropy}
     * @param percentile the percentile of {@code percentile}
     * @param who the strategy id, for progress lines
     * @param progress progress lines
     * @return each point's range by number
     * @throws DataException naming the point when its values are not finite or all zero
     */
    static Map<Integer, Calibrators.Range> calibrate(Network observing, Int8Quantizer.Planned planned,
            ImageDataset images, int[] indices, int batch, String calibrator, double percentile, String who,
            ProgressListener progress) {
        Map<Integer, Stats> stats = new HashMap<>();
        for (int p = 0; p < planned.points(); p++) {
            stats.put(p, new Stats());
        }
        List<String> labels = planned.labels();
        run(observing, images, indices, batch, (point, x) -> {
            Stats s = stats.get(point);
            float lo = x.min().getFloat();
            float hi = x.max().getFloat();
            if (!Float.isFinite(lo) || !Float.isFinite(hi)) {
                throw new DataException("int8 calibration: the values " + labels.get(point) + " are not finite ("
                        + lo + " .. " + hi + "); the network diverged or its input is not normalised: check the "
                        + "network and the calibration images");
            }
            s.min = Math.min(s.min, lo);
            s.max = Math.max(s.max, hi);
        });
        for (int p = 0; p < planned.points(); p++) {
            Stats s = stats.get(p);
            if (s.min == Double.POSITIVE_INFINITY) {
                throw new DataException("int8 calibration: no value reached point " + p + " ("
                        + labels.get(p) + ")");
            }
            if (s.magnitude() == 0) {
                throw new DataException("int8 calibration: every value " + labels.get(p) + " is zero on the "
                        + indices.length + " calibration images, so it has no range to quantize; the layer before it "
                        + "is dead: retrain the network, or calibrate on other images "
                        + "(strategy.int8.calibrationImages)");
            }
        }
        if (!calibrator.equals("minmax")) {
            for (Stats s : stats.values()) {
                s.histogram = new long[Calibrators.BINS];
                s.binWidth = s.magnitude() / Calibrators.BINS;
            }
            progress.message(who + ": calibration histograms (" + calibrator + ")");
            run(observing, images, indices, batch, (point, x) -> {
                Stats s = stats.get(point);
                float[] v = x.toFloatArray();
                long[] h = s.histogram;
                double inv = 1.0 / s.binWidth;
                for (float f : v) {
                    if (f == 0) {
                        s.zeros++;
                        continue;
                    }
                    int b = (int) (Math.abs(f) * inv);
                    h[Math.min(Calibrators.BINS - 1, b)]++;
                }
            });
        }
        Map<Integer, Calibrators.Range> ranges = new HashMap<>();
        stats.forEach((p, s) -> ranges.put(p, range(s, calibrator, percentile)));
        return ranges;
    }

    static Calibrators.Range range(Stats s, String calibrator, double percentile) {
        return switch (calibrator) {
            case "percentile" -> Calibrators.clipped(s.min, s.max,
                    Calibrators.percentile(withZeros(s), s.binWidth, percentile));
            // exact zeros (a ReLU's) are represented exactly whatever the range: they say nothing about where
            // to clip, and their spike in the first bin would make every merge of that bin look costly
            case "entropy" -> Calibrators.clipped(s.min, s.max,
                    Calibrators.entropy(s.histogram, s.binWidth, s.min >= 0 ? 256 : 128));
            default -> Calibrators.minMax(s.min, s.max);
        };
    }

    private static long[] withZeros(Stats s) {
        long[] h = s.histogram.clone();
        h[0] += s.zeros;
        return h;
    }

    private static void run(Network observing, ImageDataset images, int[] indices, int batch,
            org.waecompress.spi.spec.QuantObserver observer) {
        try (NDManager m = Devices.newManager(); BuiltNetwork built = observing.build(m);
                QuantObserver.Installed on = QuantObserver.install(observer)) {
            for (int from = 0; from < indices.length; from += batch) {
                int to = Math.min(indices.length, from + batch);
                int[] idx = java.util.Arrays.copyOfRange(indices, from, to);
                try (NDManager sm = m.newSubManager()) {
                    NDArray x = images.batch(sm, idx).get(0);
                    built.predict(x);
                }
            }
        }
    }
}

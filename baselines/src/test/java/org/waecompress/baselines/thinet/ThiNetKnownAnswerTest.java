package org.waecompress.baselines.thinet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;
import org.waecompress.spi.data.ArrayImageDataset;
import org.waecompress.spi.data.SyntheticImages;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.FlattenSpec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SequentialSpec;

/** ThiNet's selection, rescaling and sampling against answers computed independently of the code. */
class ThiNetKnownAnswerTest {

    @Test
    void greedyRemovalFollowsTheRunningSumOfRemovedChannels() {
        // step 1 removes c2 (sum of squares 1.62, the least); step 2 then removes c1, whose contribution
        // cancels c2's (0.9 - 1 = -0.1 per sample), not c0, which alone is as small as c1
        float[][] x = {{1, -1, 0.9f}, {1, -1, 0.9f}};
        assertArrayEquals(new boolean[] {false, true, true}, ThiNetSelection.greedyRemove(x, 2));
        // a tie goes to the lowest channel
        assertArrayEquals(new boolean[] {true, false, false}, ThiNetSelection.greedyRemove(
                new float[][] {{1, 1, 2}, {1, 1, 2}}, 1));
    }

    @Test
    void reconstructionErrorOfGivenScales() {
        float[][] x = {{1, 2, 3}, {2, 0, 1}};
        boolean[] removed = {false, true, false};
        // y = 6 and 3; approx = 1*1 + 2*3 = 7 and 1*2 + 2*1 = 4: errors 1 and 1
        assertEquals(2.0, ThiNetSelection.error(x, removed, new double[] {1, 2}), 1e-12);
        // unit scales: approx 4 and 3: errors 4 and 0
        assertEquals(4.0, ThiNetSelection.error(x, removed, null), 1e-12);
    }

    @Test
    void leastSquaresScalesMatchTheNormalEquationsSolvedByEjml() {
        Random r = new Random(4);
        int samples = 40;
        int channels = 5;
        float[][] x = new float[samples][channels];
        for (float[] row : x) {
            // small, correlated contributions: the ridge must stay negligible at this scale
            row[0] = (float) (1e-3 * r.nextGaussian());
            for (int c = 1; c < channels; c++) {
                row[c] = (float) (1e-3 * r.nextGaussian() + 0.5 * row[0]);
            }
        }
        boolean[] removed = {false, true, false, false, true};
        int[] kept = {0, 2, 3};
        DMatrixRMaj a = new DMatrixRMaj(samples, kept.length);
        DMatrixRMaj y = new DMatrixRMaj(samples, 1);
        for (int m = 0; m < samples; m++) {
            double sum = 0;
            for (int c = 0; c < channels; c++) {
                sum += x[m][c];
            }
            y.set(m, 0, sum);
            for (int i = 0; i < kept.length; i++) {
                a.set(m, i, x[m][kept[i]]);
            }
        }
        DMatrixRMaj ata = new DMatrixRMaj(kept.length, kept.length);
        CommonOps_DDRM.multTransA(a, a, ata);
        DMatrixRMaj aty = new DMatrixRMaj(kept.length, 1);
        CommonOps_DDRM.multTransA(a, y, aty);
        DMatrixRMaj want = new DMatrixRMaj(kept.length, 1);
        assertTrue(CommonOps_DDRM.solve(ata, aty, want));
        double[] got = ThiNetSelection.leastSquares(x, removed);
        for (int i = 0; i < kept.length; i++) {
            assertEquals(want.get(i, 0), got[i], 1e-6 * Math.max(1, Math.abs(want.get(i, 0))), "scale " + i);
        }
    }

    @Test
    void twoIdenticalKeptChannelsShareTheirScaleThroughTheRidge() {
        // the normal equations are singular; the ridge makes the answer the even split of the scale 3
        float[][] x = {{1, 1, 1}, {2, 2, 2}, {3, 3, 3}};
        double[] s = ThiNetSelection.leastSquares(x, new boolean[] {false, false, true});
        assertArrayEquals(new double[] {1.5, 1.5}, s, 1e-6);
    }

    @Test
    void gaussianEliminationPivotsAndBackSubstitutes() {
        // a zero first pivot needs a row swap; x = (1, 2, 3)
        double[] a = {0, 2, 1, 1, 1, 1, 2, 1, 3};
        double[] b = {2 * 2 + 3, 1 + 2 + 3, 2 + 2 + 9};
        assertArrayEquals(new double[] {1, 2, 3}, ThiNetSelection.solve(a, b, 3), 1e-12);
        // the largest entry of a column is the pivot, not the first non-zero one
        double[] a2 = {1e-3, 1, 0, 1, 1, 0, 0, 0, 4};
        double[] b2 = {1e-3 * 5 + 7, 5 + 7, 8};
        assertArrayEquals(new double[] {5, 7, 2}, ThiNetSelection.solve(a2, b2, 3), 1e-9);
        double[] a4 = {4, 1, 0, 0, 1, 4, 1, 0, 0, 1, 4, 1, 0, 0, 1, 4};
        double[] x4 = {1, -2, 3, -4};
        double[] b4 = new double[4];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                b4[i] += a4[i * 4 + j] * x4[j];
            }
        }
        assertArrayEquals(x4, ThiNetSelection.solve(a4, b4, 4), 1e-12);
    }

    /** conv a (1 -> 3 channels, 1x1) on 1x2x2 images, flattened into fc (12 -> 2): the linear-consumer path. */
    private static Network convThenLinear(NDManager m) {
        NetworkSpec spec = new NetworkSpec("lin", new Shape(1, 2, 2), SequentialSpec.of("",
                ConvSpec.of("a", 1, 3, 1, 1, 0, false), new FlattenSpec("f"), new LinearSpec("fc", 12, 2, true)));
        Map<String, NDArray> w = new LinkedHashMap<>();
        w.put("a.weight", m.create(new float[] {1, -2, 0.5f}, new Shape(3, 1, 1, 1)));
        float[] fc = new float[24];
        for (int i = 0; i < fc.length; i++) {
            fc[i] = (float) Math.sin(1.7 * i + 0.3);
        }
        w.put("fc.weight", m.create(fc, new Shape(2, 12)));
        w.put("fc.bias", m.create(new float[] {5, -5}));
        return Network.of(spec, 2, w, "lin");
    }

    @Test
    void contributionsIntoALinearLayerAreTheBlocksOfItsDotProduct() {
        ArrayImageDataset data = SyntheticImages.create(7, 5, new Shape(1, 2, 2), 2, 0.3);
        int locations = 3;
        long seed = 11;
        try (NDManager m = NDManager.newBaseManager(); Network net = convThenLinear(m)) {
            float[] aw = net.weight("a.weight").toFloatArray();
            float[] fc = net.weight("fc.weight").toFloatArray();
            float[][] got = ThiNetPruner.contributions(net, "a", data, locations, seed, 2);
            assertEquals(data.size() * locations, got.length);
            SplittableRandom rnd = new SplittableRandom(seed);
            float[] p = new float[4];
            for (int img = 0; img < data.size(); img++) {
                data.copyImage(img, p, 0);
                for (int l = 0; l < locations; l++) {
                    int o = rnd.nextInt(2);
                    for (int ch = 0; ch < 3; ch++) {
                        double s = 0;
                        for (int j = 0; j < 4; j++) {
                            s += fc[o * 12 + ch * 4 + j] * aw[ch] * p[j];
                        }
                        assertEquals(s, got[img * locations + l][ch], 1e-5, "image " + img + ", draw " + l + ", "
                                + "channel " + ch);
                    }
                }
            }
        }
    }

    @Test
    void pruningScalesEveryRowOfTheConsumerByTheLeastSquaresScales() {
        ArrayImageDataset data = SyntheticImages.create(3, 6, new Shape(1, 2, 2), 2, 0.3);
        try (NDManager m = NDManager.newBaseManager(); Network net = convThenLinear(m);
                Network pruned = ThiNetPruner.prune(net, "a", 2, data, 4, 5)) {
            float[][] x = ThiNetPruner.contributions(net, "a", data, 4, 5);
            boolean[] removed = ThiNetSelection.greedyRemove(x, 1);
            double[] scales = ThiNetSelection.leastSquares(x, removed);
            int[] kept = java.util.stream.IntStream.range(0, 3).filter(c -> !removed[c]).toArray();
            float[] before = net.weight("fc.weight").toFloatArray();
            float[] after = pruned.weight("fc.weight").toFloatArray();
            assertEquals(2 * 8, after.length);
            for (int o = 0; o < 2; o++) {
                for (int k = 0; k < 2; k++) {
                    for (int j = 0; j < 4; j++) {
                        assertEquals(before[o * 12 + kept[k] * 4 + j] * scales[k], after[o * 8 + k * 4 + j], 1e-5,
                                "row " + o + ", kept channel " + kept[k] + ", position " + j);
                    }
                }
            }
            assertArrayEquals(new float[] {5, -5}, pruned.weight("fc.bias").toFloatArray());
        }
    }

    @Test
    void calibrationAskingForMoreThanAClassHoldsTakesTheWholeClass() {
        ArrayImageDataset data = SyntheticImages.create(2, 6, new Shape(1, 2, 2), 3, 0.3);
        assertEquals(data.size(), ThiNetPruner.calibration(data, 100, 4).size());
    }
}

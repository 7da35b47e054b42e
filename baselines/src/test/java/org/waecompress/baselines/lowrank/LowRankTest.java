package org.waecompress.baselines.lowrank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.configuration2.MapConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.data.ArrayImageDataset;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.plugin.StrategyRegistry;
import org.waecompress.spi.spec.ActivationSpec;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.FlattenSpec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.train.NetworkTrainer;
import org.waecompress.spi.train.TrainSettings;

class LowRankTest {

    @TempDir
    Path dir;

    static NetworkSpec spec() {
        return new NetworkSpec("lr-net", new Shape(3, 8, 8), SequentialSpec.of("",
                ConvSpec.of("c1", 3, 16, 3, 1, 1, true), ActivationSpec.relu("r1"),
                ConvSpec.of("c2", 16, 32, 3, 1, 1, true), ActivationSpec.relu("r2"),
                new FlattenSpec("flat"), new LinearSpec("fc1", 32 * 64, 64, true), ActivationSpec.relu("r3"),
                new LinearSpec("fc2", 64, 5, true)));
    }

    static CompressionContext ctx(Map<String, Object> s) {
        return new CompressionContext("lowrank", new MapConfiguration(s), 1, null, new NetworkTrainer(null),
                TrainSettings.builder().epochs(1).build(), null, null);
    }

    /** A network whose decomposable weights have exactly rank {@code rank}. */
    static Network lowRankWeights(int rank) {
        NetworkSpec spec = spec();
        try (Network random = Network.random(spec, 5, 3); NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> w = new LinkedHashMap<>(random.weights());
            for (String name : new String[] {"c2.weight", "fc1.weight"}) {
                Shape s = w.get(name).getShape();
                long rows = s.get(0);
                long cols = s.size() / rows;
                NDArray a = m.randomNormal(new Shape(rows, rank));
                NDArray b = m.randomNormal(new Shape(rank, cols)).div(10);
                w.put(name, a.matMul(b).reshape(s));
            }
            return Network.of(spec, 5, w, "test");
        }
    }

    /** Images whose second and third channels are zero: every layer-1 response lies in a 9 + 1 dimensional space. */
    static ArrayImageDataset oneChannelImages(int n) {
        java.util.Random r = new java.util.Random(4);
        float[] px = new float[n * 3 * 64];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 64; j++) {
                px[i * 192 + j] = (float) r.nextGaussian();
            }
            labels[i] = i % 5;
        }
        return new ArrayImageDataset("one-channel", px, labels, new Shape(3, 8, 8), List.of("a", "b", "c", "d", "e"));
    }

    /**
     * Zhang et al.'s linear solution reproduces a layer's responses exactly once the rank covers their
     * span, whatever the weights' rank: here c1's weights are random (rank 16) but the images make its
     * responses span 9 dimensions, so the channel decomposition keeps 9 filters and the network's
     * outputs on such images are unchanged; c2's weights have rank 4, so its responses do too. A weight
     * SVD at rank 9 could not reproduce c1, and a missing mean term in the 1x1 layer's bias would
     * shift every output.
     */
    @Test
    void theChannelDecompositionReproducesTheResponsesAtTheirRank() {
        ArrayImageDataset data = oneChannelImages(40);
        try (Network net = lowRankWeights(4);
                Network dec = LowRankDecomposer.decompose(net, new LowRankSettings(2, 0.999999, "conv", 0, "channel",
                        false, 40, 10), data, 5);
                NDManager m = NDManager.newBaseManager(); BuiltNetwork a = net.build(m);
                BuiltNetwork b = dec.build(m)) {
            assertEquals(new Shape(9, 3, 3, 3), dec.spec().parameters().get("c1.0.weight").shape());
            assertEquals(new Shape(4, 16, 3, 3), dec.spec().parameters().get("c2.0.weight").shape());
            NDArray x = data.batch(m, new int[] {0, 1, 2, 3}).get(0);
            NDArray ya = a.predict(x);
            float max = ya.sub(b.predict(x)).abs().max().getFloat();
            float scale = ya.abs().max().getFloat();
            assertTrue(max < 1e-3 * Math.max(1, scale), "max |diff| " + max + " (outputs up to " + scale + ")");
        }
        try (Network net = lowRankWeights(4)) {
            assertThrows(IllegalArgumentException.class, () -> LowRankDecomposer.decompose(net,
                    new LowRankSettings(2, 0, "conv", 0, "channel", false)), "channel without images");
        }
    }

    /**
     * Response statistics against a direct computation: a linear layer's responses are W x + b for each
     * image, so their mean and covariance follow from the outputs the engine computes.
     */
    @Test
    void responseStatisticsAreTheMeanAndCovarianceOfTheLayersOutputs() {
        NetworkSpec spec = new NetworkSpec("lin", new Shape(3, 2, 2), SequentialSpec.of("",
                new FlattenSpec("flat"), new LinearSpec("fc", 12, 3, true)));
        ArrayImageDataset data = oneChannelImages(40);
        ArrayImageDataset small = new ArrayImageDataset("small", java.util.Arrays.copyOf(pixels(data), 40 * 12),
                new int[40], new Shape(3, 2, 2), List.of("a"));
        try (Network net = Network.random(spec, 3, 2); NDManager m = NDManager.newBaseManager();
                BuiltNetwork b = net.build(m)) {
            Responses r = Responses.of(net, "fc", small, 10, 1);
            assertEquals(40, r.samples(), "one response per image for a linear layer");
            float[] y = b.predict(small.batch(m, java.util.stream.IntStream.range(0, 40).toArray()).get(0))
                    .toFloatArray();
            double[] mean = new double[3];
            for (int i = 0; i < 40; i++) {
                for (int o = 0; o < 3; o++) {
                    mean[o] += y[i * 3 + o] / 40.0;
                }
            }
            for (int o = 0; o < 3; o++) {
                assertEquals(mean[o], r.mean()[o], 1e-4, "mean " + o);
                for (int p = 0; p < 3; p++) {
                    double c = 0;
                    for (int i = 0; i < 40; i++) {
                        c += (y[i * 3 + o] - mean[o]) * (y[i * 3 + p] - mean[p]) / 40.0;
                    }
                    assertEquals(c, r.cov()[o * 3 + p], 1e-4, "cov " + o + "," + p);
                }
            }
        }
    }

    private static float[] pixels(ArrayImageDataset d) {
        float[] all = new float[d.size() * 192];
        for (int i = 0; i < d.size(); i++) {
            d.copyImage(i, all, i * 192);
        }
        // keep the first 12 values of each image, with all three channels non-zero
        java.util.Random r = new java.util.Random(8);
        float[] out = new float[d.size() * 12];
        for (int i = 0; i < out.length; i++) {
            out[i] = all[(i / 12) * 192 + (i % 12)] + (float) r.nextGaussian();
        }
        return out;
    }

    /** Whether the columns of a {@code rows x cols} row-major matrix are orthonormal. */
    static boolean orthonormalColumns(float[] m, int rows, int cols) {
        for (int a = 0; a < cols; a++) {
            for (int b = 0; b < cols; b++) {
                double d = 0;
                for (int i = 0; i < rows; i++) {
                    d += m[i * cols + a] * m[i * cols + b];
                }
                if (Math.abs(d - (a == b ? 1 : 0)) > 1e-3) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Issue 29, item 4: a convolution in a residual shortcut is decomposed from its responses like any
     * other (its input is what the network feeds it); it got the weight SVD before, silently. Zhang's 1x1
     * layer is the responses' top eigenvectors (orthonormal columns), the SVD's is U S (columns of norm
     * the singular values).
     */
    @Test
    void aShortcutConvolutionIsDecomposedFromItsResponses() {
        NetworkSpec spec = org.waecompress.backbones.Backbones.create("resnet20", new Shape(1, 16, 16), 4, 0.25);
        ArrayImageDataset data = org.waecompress.spi.data.SyntheticImages.create(2, 24, new Shape(1, 16, 16), 4, 0.1);
        LowRankSettings channel = new LowRankSettings(2, 0, "conv", 0, "channel", false, 24, 4);
        try (Network net = Network.random(spec, 4, 1);
                Network dec = LowRankDecomposer.decompose(net, channel, data, 3);
                Network svd = LowRankDecomposer.decompose(net, new LowRankSettings(2, 0, "conv", 0, "svd"))) {
            String sc = dec.spec().parameters().keySet().stream().filter(k -> k.contains("downsample")
                    && k.endsWith(".1.weight")).findFirst().orElseThrow(() -> new AssertionError("no shortcut"));
            Shape p = dec.weight(sc).getShape();
            assertFalse(java.util.Arrays.equals(svd.weight(sc).toFloatArray(), dec.weight(sc).toFloatArray()), sc);
            assertTrue(orthonormalColumns(dec.weight(sc).toFloatArray(), (int) p.get(0), (int) p.get(1)),
                    sc + " holds the responses' eigenvectors");
            assertFalse(orthonormalColumns(svd.weight(sc).toFloatArray(), (int) p.get(0), (int) p.get(1)),
                    "the SVD's U S is not orthonormal: the check can tell them apart");
        }
    }

    /**
     * Issue 29, item 6: the first layer reads what runs before it (a resize), not the raw image. The
     * network "pool, then a" on 8x8 images must decompose a exactly as the network "a" alone does on the
     * pooled 4x4 images (same draws, same positions).
     */
    @Test
    void aFirstLayerAfterAResizeSeesTheResizedImage() {
        NetworkSpec pooled = new NetworkSpec("pooled", new Shape(3, 8, 8), SequentialSpec.of("",
                org.waecompress.spi.spec.PoolSpec.max("resize", 2, 2, 0, false), ConvSpec.of("a", 3, 16, 3, 1, 1, true),
                ActivationSpec.relu("r"), new FlattenSpec("flat"), new LinearSpec("fc", 16 * 16, 5, true)));
        NetworkSpec alone = new NetworkSpec("alone", new Shape(3, 4, 4), SequentialSpec.of("",
                ConvSpec.of("a", 3, 16, 3, 1, 1, true), ActivationSpec.relu("r"), new FlattenSpec("flat"),
                new LinearSpec("fc", 16 * 16, 5, true)));
        java.util.Random r = new java.util.Random(6);
        int n = 32;
        float[] px = new float[n * 192];
        float[] half = new float[n * 48];
        int[] labels = new int[n];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 4; y++) {
                    for (int x = 0; x < 4; x++) {
                        float m = Float.NEGATIVE_INFINITY;
                        for (int dy = 0; dy < 2; dy++) {
                            for (int dx = 0; dx < 2; dx++) {
                                m = Math.max(m, px[i * 192 + c * 64 + (2 * y + dy) * 8 + 2 * x + dx]);
                            }
                        }
                        half[i * 48 + c * 16 + y * 4 + x] = m;
                    }
                }
            }
            labels[i] = i % 5;
        }
        List<String> classes = List.of("a", "b", "c", "d", "e");
        ArrayImageDataset big = new ArrayImageDataset("8x8", px, labels, new Shape(3, 8, 8), classes);
        ArrayImageDataset small = new ArrayImageDataset("4x4", half, labels, new Shape(3, 4, 4), classes);
        LowRankSettings s = new LowRankSettings(2, 0, "conv", 0, "channel", false, 32, 4);
        try (Network a = Network.random(pooled, 5, 2); Network b = Network.of(alone, 5, a.weights(), "same weights");
                Network da = LowRankDecomposer.decompose(a, s, big, 9);
                Network db = LowRankDecomposer.decompose(b, s, small, 9)) {
            for (String name : List.of("a.0.weight", "a.1.weight", "a.1.bias")) {
                float[] x = da.weight(name).toFloatArray();
                float[] y = db.weight(name).toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    assertEquals(Math.abs(y[i]), Math.abs(x[i]), 1e-4, name + "[" + i + "]");
                }
            }
        }
    }

    /**
     * Issue 29, item 5: a linear layer has one response per image, so its covariance needs more images
     * than the rank it keeps: fc1 (2,048 to 64 at 2x keeps rank 31) takes 62 images although the
     * calibration count is 16, and gets the weight SVD, with a note, where the data has fewer than 32.
     */
    @Test
    void aLinearLayerTakesTwiceItsRankInImagesOrTheWeightSvdWithANote() {
        ArrayImageDataset data = org.waecompress.spi.data.SyntheticImages.create(3, 100, new Shape(3, 8, 8), 5, 0.5);
        List<String> notes = new java.util.ArrayList<>();
        var log = org.waecompress.spi.train.ProgressListener.messages(notes::add);
        assertEquals(31, LowRankDecomposer.rankForSpeedup(64, 2048, 2));
        try (Network net = Network.random(spec(), 5, 3);
                Network few = LowRankDecomposer.decompose(net, new LowRankSettings(2, 0, "linear", 0, "channel", false,
                        16, 4), data, 7, log);
                Network enough = LowRankDecomposer.decompose(net, new LowRankSettings(2, 0, "linear", 0, "channel",
                        false, 62, 4), data, 7, log);
                Network more = LowRankDecomposer.decompose(net, new LowRankSettings(2, 0, "linear", 0, "channel",
                        false, 63, 4), data, 7, log)) {
            assertTrue(notes.isEmpty(), notes.toString());
            assertTrue(java.util.Arrays.equals(enough.weight("fc1.0.weight").toFloatArray(),
                    few.weight("fc1.0.weight").toFloatArray()), "16 calibration images give fc1 its 62");
            assertFalse(java.util.Arrays.equals(more.weight("fc1.0.weight").toFloatArray(),
                    few.weight("fc1.0.weight").toFloatArray()), "63 images are another covariance");
        }
        ArrayImageDataset tiny = org.waecompress.spi.data.SyntheticImages.create(3, 20, new Shape(3, 8, 8), 5, 0.5);
        try (Network net = Network.random(spec(), 5, 3);
                Network dec = LowRankDecomposer.decompose(net, new LowRankSettings(2, 0, "linear", 0, "channel", false,
                        16, 4), tiny, 7, log);
                Network svd = LowRankDecomposer.decompose(net, new LowRankSettings(2, 0, "linear", 0, "svd"))) {
            assertEquals(List.of("lowrank: fc1 gets the weight SVD: its responses' covariance needs more than 31 "
                    + "images for rank 31 and the training data has 20"), notes);
            assertTrue(java.util.Arrays.equals(svd.weight("fc1.1.weight").toFloatArray(),
                    dec.weight("fc1.1.weight").toFloatArray()));
        }
        // the boundary: rank + 1 = 32 images are enough (no note), 31 are not
        for (int n : new int[] {32, 31}) {
            notes.clear();
            ArrayImageDataset edge = org.waecompress.spi.data.SyntheticImages.create(3, n, new Shape(3, 8, 8), 5, 0.5);
            try (Network net = Network.random(spec(), 5, 3);
                    Network dec = LowRankDecomposer.decompose(net, new LowRankSettings(2, 0, "linear", 0, "channel",
                            false, 16, 4), edge, 7, log)) {
                assertEquals(n == 31, !notes.isEmpty(), n + " images: " + notes);
                assertEquals(new Shape(31, 2048), dec.spec().parameters().get("fc1.0.weight").shape());
            }
        }
        // with a channel multiple of 8 the rank is 32, so fc1 takes 64 images from a calibration count of 16
        try (Network net = Network.random(spec(), 5, 3);
                Network eight = LowRankDecomposer.decompose(net, new LowRankSettings(2, 0, "linear", 0, "channel",
                        false, 16, 4, java.util.Map.of(), 8), data, 7, log);
                Network sixtyFour = LowRankDecomposer.decompose(net, new LowRankSettings(2, 0, "linear", 0, "channel",
                        false, 64, 4, java.util.Map.of(), 8), data, 7, log)) {
            assertEquals(new Shape(32, 2048), eight.spec().parameters().get("fc1.0.weight").shape());
            assertTrue(java.util.Arrays.equals(sixtyFour.weight("fc1.0.weight").toFloatArray(),
                    eight.weight("fc1.0.weight").toFloatArray()), "the rounded rank's images");
        }
    }

    @Test
    void fullRankFactorisationReproducesOutputs() {
        try (Network net = lowRankWeights(4);
                Network dec = LowRankDecomposer.decompose(net, new LowRankSettings(2, 0.9999999, "all", 0));
                NDManager m = NDManager.newBaseManager(); BuiltNetwork a = net.build(m);
                BuiltNetwork b = dec.build(m)) {
            assertEquals(new Shape(4, 16, 3, 3), dec.spec().parameters().get("c2.0.weight").shape());
            assertEquals(new Shape(4, 2048), dec.spec().parameters().get("fc1.0.weight").shape());
            NDArray x = m.randomNormal(new Shape(2, 3, 8, 8));
            float max = a.predict(x).sub(b.predict(x)).abs().max().getFloat();
            float scale = a.predict(x).abs().max().getFloat();
            assertTrue(max < 1e-4 * Math.max(1, scale), "max |diff| " + max + " (outputs up to " + scale + ")");
        }
    }

    @Test
    void vbmfRanksFindThePlantedRank() {
        try (Network exact = lowRankWeights(3); NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> w = new LinkedHashMap<>(exact.weights());
            for (String name : new String[] {"c2.weight", "fc1.weight"}) {
                NDArray t = w.get(name);
                w.put(name, t.add(m.randomNormal(0f, 0.01f, t.getShape(), t.getDataType())));
            }
            try (Network noisy = Network.of(exact.spec(), 5, w, "noisy");
                    Network dec = LowRankDecomposer.decompose(noisy,
                            new LowRankSettings(2, 0, "all", 0, "svd", true))) {
                assertEquals(new Shape(3, 16, 3, 3), dec.spec().parameters().get("c2.0.weight").shape());
                assertEquals(new Shape(3, 2048), dec.spec().parameters().get("fc1.0.weight").shape());
            }
            // Tucker-2: the output-mode unfolding of c2's kernel has rank 3 (the input mode does not:
            // it mixes the 3 components with the 9 kernel positions).
            try (Network noisy = Network.of(exact.spec(), 5, w, "noisy");
                    Network dec = LowRankDecomposer.decompose(noisy,
                            new LowRankSettings(2, 0, "conv", 0, "tucker2", true))) {
                assertEquals(3, dec.spec().parameters().get("c2.1.weight").shape().get(0));
            }
        }
    }

    @Test
    void tucker2AtFullMultilinearRankReproducesOutputs() {
        NetworkSpec spec = spec();
        try (Network random = Network.random(spec, 5, 4); NDManager m = NDManager.newBaseManager()) {
            // c2's kernel with multilinear rank (3, 2): W = G x1 A x2 B
            NDArray g = m.randomNormal(new Shape(3, 2, 3, 3));
            NDArray a = m.randomNormal(new Shape(32, 3));
            NDArray b = m.randomNormal(new Shape(16, 2)).div(4);
            NDArray w = a.matMul(g.reshape(3, 18)).reshape(32, 2, 9).transpose(1, 0, 2).reshape(2, 32 * 9);
            w = b.matMul(w).reshape(16, 32, 9).transpose(1, 0, 2).reshape(32, 16, 3, 3);
            Map<String, NDArray> weights = new LinkedHashMap<>(random.weights());
            weights.put("c2.weight", w);
            try (Network net = Network.of(spec, 5, weights, "test");
                    Network dec = LowRankDecomposer.decompose(net,
                            new LowRankSettings(2, 0.9999999, "conv", 0, "tucker2"));
                    BuiltNetwork x = net.build(m); BuiltNetwork y = dec.build(m)) {
                assertEquals(new Shape(2, 16, 1, 1), dec.spec().parameters().get("c2.0.weight").shape());
                assertEquals(new Shape(3, 2, 3, 3), dec.spec().parameters().get("c2.1.weight").shape());
                assertEquals(new Shape(32, 3, 1, 1), dec.spec().parameters().get("c2.2.weight").shape());
                NDArray in = m.randomNormal(new Shape(2, 3, 8, 8));
                float diff = x.predict(in).sub(y.predict(in)).abs().max().getFloat();
                float scale = x.predict(in).abs().max().getFloat();
                assertTrue(diff < 1e-4 * Math.max(1, scale), "max |diff| " + diff + " (outputs up to " + scale + ")");
            }
        }
    }

    @Test
    void tucker2RanksMeetTheMacTarget() {
        NetworkSpec s = LowRankDecomposer.architecture(spec(), new LowRankSettings(3, 0, "conv", 0, "tucker2"));
        CostReport before = CostReport.of(spec());
        CostReport after = CostReport.of(s);
        assertTrue(after.macsOf("c2") * 3 <= before.macsOf("c2"), after.macsOf("c2") + " vs " + before.macsOf("c2"));
        long check = LowRankDecomposer.tuckerMacs(64, 64, 16, 32,
                (int) s.parameters().get("c2.0.weight").shape().get(0),
                (int) s.parameters().get("c2.1.weight").shape().get(0), 9);
        assertEquals(check, after.macsOf("c2"));
    }

    @Test
    void targetSpeedupLowersMacsAsComputed() {
        NetworkSpec s = LowRankDecomposer.architecture(spec(), new LowRankSettings(2, 0, "all", 0));
        CostReport before = CostReport.of(spec());
        CostReport after = CostReport.of(s);
        // c1 (inner 27): r = floor(16*27 / (2*43)) = 5 -> 5*27*64 + 16*5*64 = 13760 < 27648
        int r1 = LowRankDecomposer.rankForSpeedup(16, 27, 2);
        assertEquals(5, r1);
        assertEquals(64L * (r1 * 27 + 16 * r1), after.macsOf("c1"));
        int r2 = LowRankDecomposer.rankForSpeedup(32, 144, 2);
        assertEquals(64L * (r2 * 144 + 32 * r2), after.macsOf("c2"));
        assertTrue(after.macsOf("c2") <= before.macsOf("c2") / 2);
        int r3 = LowRankDecomposer.rankForSpeedup(64, 2048, 2);
        assertEquals((long) r3 * 2048 + 64L * r3, after.macsOf("fc1"));
        assertEquals(before.macsOf("fc2"), after.macsOf("fc2"), "the output layer stays");
        assertEquals(after.macsOf("c1") + after.macsOf("c2") + after.macsOf("fc1") + after.macsOf("fc2"),
                after.totalMacs());
    }

    @Test
    void decomposedNetworkSavesAndReloads() {
        try (Network net = Network.random(spec(), 5, 2);
                Network dec = LowRankDecomposer.decompose(net, new LowRankSettings(3, 0, "conv", 0));
                Network back = Network.load(dec.save(dir, "lr"))) {
            assertEquals(dec.spec(), back.spec());
            assertTrue(back.spec().parameters().containsKey("c2.1.bias"));
            assertTrue(back.spec().parameters().containsKey("fc1.weight"), "layers=conv keeps linear layers");
        }
    }

    @Test
    void badSettingsNameTheKey() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> LowRankSettings.from(ctx(Map.of("targetSpeedup", "1"))));
        assertEquals("strategy.lowrank.targetSpeedup = 1: must be a number > 1", e.getMessage());
        e = assertThrows(InvalidSettingException.class, () -> LowRankSettings.from(ctx(Map.of("method", "cp"))));
        assertEquals("strategy.lowrank.method = cp: must be one of channel, svd, tucker2", e.getMessage());
        e = assertThrows(InvalidSettingException.class, () -> LowRankSettings.from(ctx(Map.of("layers", "fc"))));
        assertEquals("strategy.lowrank.layers = fc: must be one of all, conv, linear", e.getMessage());
        NetworkSpec tiny = new NetworkSpec("tiny", new Shape(1, 2, 2), SequentialSpec.of("",
                new FlattenSpec("f"), new LinearSpec("fc", 4, 2, true)));
        assertThrows(InvalidSettingException.class,
                () -> LowRankDecomposer.architecture(tiny, new LowRankSettings(2, 0, "all", 0)));
        // Random weights are pure noise to EVBMF: rank 0 everywhere, nothing to factorise.
        try (Network random = Network.random(spec(), 5, 11)) {
            e = assertThrows(InvalidSettingException.class, () -> LowRankDecomposer.decompose(random,
                    new LowRankSettings(2, 0, "all", 0, "svd", true)));
            assertTrue(e.getMessage().startsWith("strategy.lowrank.vbmf = true: the EVBMF ranks of every layer of "
                    + "lr-net"), e.getMessage());
        }
    }

    @Test
    void pluginIsDiscovered() {
        assertEquals("lowrank", StrategyRegistry.discover().get("lowrank").id());
    }
}

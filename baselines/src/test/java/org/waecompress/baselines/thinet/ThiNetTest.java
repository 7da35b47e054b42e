package org.waecompress.baselines.thinet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.apache.commons.configuration2.MapConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.backbones.Backbones;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.data.ArrayImageDataset;
import org.waecompress.spi.data.SyntheticImages;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.plugin.StrategyRegistry;
import org.waecompress.spi.spec.ActivationSpec;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.FlattenSpec;
import org.waecompress.spi.spec.GlobalAvgPoolSpec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.train.NetworkTrainer;
import org.waecompress.spi.train.ProgressEvent;
import org.waecompress.spi.train.ProgressListener;
import org.waecompress.spi.train.TrainSettings;

class ThiNetTest {

    static CompressionContext ctx(Map<String, Object> s, ArrayImageDataset data) {
        return new CompressionContext("thinet", new MapConfiguration(s), 3, data, new NetworkTrainer(null),
                TrainSettings.builder().epochs(1).batchSize(32).build(), null, null);
    }

    /** Stands for a JVM killed after ThiNet pruned a layer. */
    private static final class Killed extends RuntimeException {}

    /** Records messages, and stops (as a kill would) at the first containing {@code stopAt} unless null. */
    private static ProgressListener listener(java.util.List<String> messages, String stopAt) {
        return new ProgressListener() {
            @Override
            public void progress(ProgressEvent event) {}

            @Override
            public void message(String text) {
                messages.add(text);
                if (stopAt != null && text.contains(stopAt)) {
                    throw new Killed();
                }
            }
        };
    }

    @Test
    void aStoppedRowContinuesAfterItsLastSavedLayerToTheSameNetwork(@TempDir Path dir) {
        ArrayImageDataset data = SyntheticImages.create(4, 64, new Shape(1, 16, 16), 4, 0.1);
        NetworkSpec spec = Backbones.create("vgg16-bn-small", new Shape(1, 16, 16), 4, 0.125);
        Map<String, Object> s = Map.of("ratio", "0.5", "firstLayers", "4", "layerFineTuneSteps", "1",
                "imagesPerClass", "4", "locations", "5", "fineTuneEpochs", "0");
        TrainSettings ft = TrainSettings.builder().epochs(1).batchSize(32).build();
        var strategy = StrategyRegistry.discover().get("thinet");
        try (Network base = Network.random(spec, 4, 1);
                Network straight = strategy.compress(base, ctx(s, data))) {
            // killed while pruning its third layer: two layers are saved
            java.util.List<String> messages = new java.util.ArrayList<>();
            ProgressListener stop = listener(messages, "(3/4)");
            NetworkTrainer first = new NetworkTrainer(null).withCheckpoints(dir, "thinet", Duration.ZERO);
            assertThrows(Killed.class, () -> strategy.compress(base, new CompressionContext("thinet",
                    new MapConfiguration(s), 3, data, first, ft, stop, null)));
            messages.clear();
            ProgressListener record = listener(messages, null);
            NetworkTrainer again = new NetworkTrainer(record).withCheckpoints(dir, "thinet", Duration.ZERO);
            try (Network resumed = strategy.compress(base, new CompressionContext("thinet", new MapConfiguration(s), 3,
                    data, again, ft, record, null))) {
                assertTrue(messages.stream().anyMatch(m -> m.startsWith("thinet: resuming after stage 2 from ")),
                        messages.toString());
                assertFalse(messages.stream().anyMatch(m -> m.contains("(1/4)") || m.contains("(2/4)")),
                        "redid a saved layer: " + messages);
                assertEquals(straight.spec(), resumed.spec());
                for (String k : straight.weights().keySet()) {
                    assertTrue(java.util.Arrays.equals(straight.weight(k).toFloatArray(),
                            resumed.weight(k).toFloatArray()), k);
                }
            }
        }
    }

    /**
     * A case solved by hand: layer a's second channel is twice its first (relu keeps the factor), and
     * b adds them, so b = 3 a_0 = 1.5 a_1. Keeping one channel, ThiNet removes the one contributing
     * less (channel 0) and rescales b's weight on the other by least squares to exactly 1.5, so the
     * pruned network computes what the original did. Without the rescaling b's weight stays 1.
     */
    @Test
    void selectionAndRescalingMatchTheHandComputedAnswer() {
        NetworkSpec spec = new NetworkSpec("hand", new Shape(1, 4, 4), SequentialSpec.of("",
                ConvSpec.of("a", 1, 2, 1, 1, 0, false), new ActivationSpec("r", "relu"),
                ConvSpec.of("b", 2, 1, 1, 1, 0, false), new FlattenSpec("f"),
                new LinearSpec("fc", 16, 2, true)));
        ArrayImageDataset data = SyntheticImages.create(5, 16, new Shape(1, 4, 4), 2, 0.3);
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> w = new java.util.LinkedHashMap<>();
            w.put("a.weight", m.create(new float[] {1, 2}, new Shape(2, 1, 1, 1)));
            w.put("b.weight", m.create(new float[] {1, 1}, new Shape(1, 2, 1, 1)));
            w.put("fc.weight", m.randomNormal(new Shape(2, 16)));
            w.put("fc.bias", m.zeros(new Shape(2)));
            try (Network net = Network.of(spec, 2, w, "hand");
                    Network pruned = ThiNetPruner.prune(net, "a", 1, data, 8, 3)) {
                assertEquals(1, ((ConvSpec) pruned.spec().node("a")).out());
                assertArrayEquals(new float[] {2}, pruned.weight("a.weight").toFloatArray(), 0f,
                        "kept the channel that contributes more");
                assertArrayEquals(new float[] {1.5f}, pruned.weight("b.weight").toFloatArray(), 1e-5f,
                        "least-squares scale of the kept channel");
            }
        }
    }

    /** Counts the largest batch of images the network is run on. */
    private static final class Counting implements org.waecompress.spi.data.ImageDataset {
        private final ArrayImageDataset inner;
        int largest;

        Counting(ArrayImageDataset inner) {
            this.inner = inner;
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public int size() {
            return inner.size();
        }

        @Override
        public Shape sampleShape() {
            return inner.sampleShape();
        }

        @Override
        public int numClasses() {
            return inner.numClasses();
        }

        @Override
        public java.util.List<String> classNames() {
            return inner.classNames();
        }

        @Override
        public int label(int index) {
            return inner.label(index);
        }

        @Override
        public void copyImage(int index, float[] dst, int offset) {
            inner.copyImage(index, dst, offset);
        }

        @Override
        public ai.djl.ndarray.NDList batch(NDManager manager, int[] indices) {
            largest = Math.max(largest, indices.length);
            return inner.batch(manager, indices);
        }
    }

    @Test
    void calibrationRunsInBoundedBatchesAndSamplesAtRandom() {
        ArrayImageDataset data = SyntheticImages.create(4, 40, new Shape(1, 16, 16), 4, 0.1);
        NetworkSpec spec = Backbones.create("vgg16-bn-small", new Shape(1, 16, 16), 4, 0.125);
        try (Network net = Network.random(spec, 4, 1)) {
            Counting counted = new Counting(data);
            float[][] batched = ThiNetPruner.contributions(net, "features.3", counted, 5, 9, 3);
            assertEquals(3, counted.largest, "the network ran on more images at once than the bound");
            float[][] whole = ThiNetPruner.contributions(net, "features.3", data, 5, 9, data.size());
            for (int i = 0; i < whole.length; i++) {
                assertArrayEquals(whole[i], batched[i], 1e-5f, "sample " + i);
            }
        }
        // two images of each class, chosen from the seed rather than the first ones in data order
        var a = ThiNetPruner.calibration(data, 2, 1);
        var b = ThiNetPruner.calibration(data, 2, 2);
        assertEquals(8, a.size());
        int[] perClass = new int[4];
        for (int i = 0; i < a.size(); i++) {
            perClass[a.label(i)]++;
        }
        assertArrayEquals(new int[] {2, 2, 2, 2}, perClass);
        float[] ia = new float[256];
        float[] ib = new float[256];
        boolean differ = false;
        for (int i = 0; i < a.size(); i++) {
            a.copyImage(i, ia, 0);
            b.copyImage(i, ib, 0);
            differ |= !java.util.Arrays.equals(ia, ib);
        }
        assertTrue(differ, "two seeds picked the same images");
    }

    @Test
    void greedyStepPicksChannelsThatContributeNothing() {
        Random r = new Random(1);
        float[][] x = new float[200][8];
        for (float[] row : x) {
            for (int c = 0; c < 8; c++) {
                row[c] = (c == 2 || c == 5 || c == 6) ? 0f : (float) r.nextGaussian();
            }
        }
        boolean[] removed = ThiNetSelection.greedyRemove(x, 3);
        for (int c = 0; c < 8; c++) {
            assertEquals(c == 2 || c == 5 || c == 6, removed[c], "channel " + c);
        }
    }

    @Test
    void leastSquaresLowersReconstructionError() {
        Random r = new Random(2);
        float[][] x = new float[300][6];
        for (float[] row : x) {
            double shared = r.nextGaussian();
            for (int c = 0; c < 6; c++) {
                row[c] = (float) (shared * (c + 1) * 0.3 + 0.2 * r.nextGaussian());
            }
        }
        boolean[] removed = ThiNetSelection.greedyRemove(x, 2);
        double plain = ThiNetSelection.error(x, removed, null);
        double scaled = ThiNetSelection.error(x, removed, ThiNetSelection.leastSquares(x, removed));
        assertTrue(scaled < plain, scaled + " vs " + plain);
    }

    @Test
    void prunesASmallVggAndKeepsItsShapesConsistent() {
        ArrayImageDataset data = SyntheticImages.create(4, 64, new Shape(1, 16, 16), 4, 0.1);
        NetworkSpec spec = Backbones.create("vgg16-bn-small", new Shape(1, 16, 16), 4, 0.125);
        try (Network base = Network.random(spec, 4, 1);
                Network out = StrategyRegistry.discover().get("thinet").compress(base,
                        ctx(Map.of("ratio", "0.5", "firstLayers", "3", "layerFineTuneSteps", "1",
                                "imagesPerClass", "4", "locations", "5"), data))) {
            assertEquals(4, ((ConvSpec) out.spec().node("features.0")).out());
            assertEquals(4, ((ConvSpec) out.spec().node("features.3")).out());
            assertEquals(8, ((ConvSpec) out.spec().node("features.7")).out(), "8 -> 4 ... third layer 16 -> 8");
            assertTrue(CostReport.of(out.spec()).totalMacs() < CostReport.of(spec).totalMacs());
            assertEquals(new Shape(4), out.spec().outputShape());
        }
    }

    @Test
    void resnetPrunesOnlyInnerChannels() {
        NetworkSpec r20 = Backbones.create("resnet20", new Shape(1, 16, 16), 10, 0.5);
        NetworkSpec arch = new ThiNetStrategy().architecture(r20, ctx(Map.of("ratio", "0.3"), null));
        assertEquals(2, ((ConvSpec) arch.node("layer1.0.conv1")).out());
        assertEquals(8, ((ConvSpec) arch.node("layer1.0.conv2")).out());
        assertFalse(CostReport.of(arch).totalMacs() >= CostReport.of(r20).totalMacs());
    }

    @Test
    void presetsReproduceThePapersArchitectures() {
        NetworkSpec vgg = Backbones.create("vgg16");
        StrategyRegistry reg = StrategyRegistry.discover();
        // ThiNet-GAP: first 10 convolutions at half width, GAP head; ThiNet's README: 8.32 M params, 9.34 G FLOPs
        CostReport gap = CostReport.of(reg.get("thinet-gap").architecture(vgg, ctx(Map.of(), null)));
        assertEquals(8_322_696L, gap.totalParams());
        assertEquals(9.34e9, 2.0 * gap.totalMacs(), 0.005e9);
        // ThiNet-Conv (the first 10 convolutions at 0.5): 131.44 M params in ThiNet's README
        CostReport conv = CostReport.of(reg.get("thinet-conv").architecture(vgg, ctx(Map.of(), null)));
        assertEquals(131.44e6, conv.totalParams(), 0.02e6);
        CostReport tiny = CostReport.of(reg.get("thinet-tiny").architecture(vgg, ctx(Map.of(), null)));
        assertTrue(tiny.totalMacs() < 1.0e9 && tiny.totalParams() < 1.4e6, tiny.totalMacs() + " " + tiny.totalParams());
        // ThiNet-70 / ThiNet-30 on a ResNet: only the blocks' inner channels shrink.
        NetworkSpec r20 = Backbones.create("resnet20", new Shape(1, 32, 32), 10, 1.0);
        for (Object[] c : new Object[][] {{"thinet-70", 11}, {"thinet", 8}, {"thinet-30", 5}}) {
            NetworkSpec a = reg.get((String) c[0]).architecture(r20, ctx(Map.of(), null));
            assertEquals(c[1], ((ConvSpec) a.node("layer1.0.conv1")).out(), (String) c[0]);
            assertEquals(16, ((ConvSpec) a.node("layer1.0.conv2")).out(), (String) c[0]);
            assertEquals(16, ((ConvSpec) a.node("conv1")).out(), (String) c[0]);
        }
    }

    @Test
    void gapPresetTrainsItsNewHead() {
        ArrayImageDataset data = SyntheticImages.create(4, 48, new Shape(1, 16, 16), 4, 0.1);
        NetworkSpec spec = Backbones.create("vgg16-bn-small", new Shape(1, 16, 16), 4, 0.125);
        try (Network base = Network.random(spec, 4, 1);
                Network out = StrategyRegistry.discover().get("thinet-gap").compress(base,
                        ctx(Map.of("firstLayers", "2", "layerFineTuneSteps", "0", "imagesPerClass", "2",
                                "locations", "3", "fineTuneEpochs", "1"), data))) {
            assertTrue(out.spec().parameters().containsKey("gapfc.weight"));
            assertEquals(new Shape(4), out.spec().outputShape());
        }
    }

    @Test
    void badSettingsNameTheKey() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> ThiNetSettings.from(ctx(Map.of("ratio", "1.5"), null)));
        assertEquals("strategy.thinet.ratio = 1.5: must be a number in (0, 1)", e.getMessage());
        NetworkSpec single = new NetworkSpec("single", new Shape(1, 4, 4), SequentialSpec.of("",
                ConvSpec.of("c", 1, 2, 3, 1, 1, true), new GlobalAvgPoolSpec("g")));
        e = assertThrows(InvalidSettingException.class,
                () -> new ThiNetStrategy().architecture(single, ctx(Map.of(), null)));
        assertTrue(e.getMessage().startsWith("backbone = single: has no prunable layer"), e.getMessage());
    }
}

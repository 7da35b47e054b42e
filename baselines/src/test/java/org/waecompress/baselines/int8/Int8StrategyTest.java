package org.waecompress.baselines.int8;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.configuration2.MapConfiguration;
import org.junit.jupiter.api.Test;
import org.waecompress.backbones.Backbones;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.data.ArrayImageDataset;
import org.waecompress.spi.data.SyntheticImages;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.error.DataException;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.plugin.StrategyRegistry;
import org.waecompress.spi.spec.ActivationSpec;
import org.waecompress.spi.spec.FlattenSpec;
import org.waecompress.spi.spec.Int8Spec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.PoolSpec;
import org.waecompress.spi.spec.QuantizeSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecException;
import org.waecompress.spi.train.Accuracy;
import org.waecompress.spi.train.Evaluator;
import org.waecompress.spi.train.NetworkTrainer;
import org.waecompress.spi.train.ProgressListener;
import org.waecompress.spi.train.TrainSettings;

class Int8StrategyTest {

    static final ArrayImageDataset DATA = SyntheticImages.create(4, 96, new Shape(1, 16, 16), 4, 0.1);

    static CompressionContext ctx(Map<String, Object> s, ArrayImageDataset data, List<String> messages) {
        ProgressListener log = new ProgressListener() {
            @Override
            public void progress(org.waecompress.spi.train.ProgressEvent event) {}

            @Override
            public void message(String text) {
                messages.add(text);
            }
        };
        return new CompressionContext("int8", new MapConfiguration(s), 3, data, new NetworkTrainer(null),
                TrainSettings.builder().epochs(1).batchSize(32).learningRate(0.05).seed(3).build(), log, null);
    }

    /** A small VGG-16-BN trained for six epochs on synthetic images, so quantization has ranges to keep. */
    static Network trained() {
        NetworkSpec spec = Backbones.create("vgg16-bn-small", new Shape(1, 16, 16), 4, 0.125);
        try (Network random = Network.random(spec, 4, 1)) {
            return new NetworkTrainer(null).train("train", random, DATA, TrainSettings.builder().epochs(6)
                    .batchSize(16).learningRate(0.01).seed(1).build()).network();
        }
    }

    @Test
    void postTrainingInt8KeepsTheAccuracyAndRunsEveryWeightedLayerInInt8() {
        List<String> messages = new ArrayList<>();
        Map<String, Object> s = Map.of("calibrationImages", "64");
        try (Network net = trained(); Network q = new Int8Strategy().compress(net, ctx(s, DATA, messages))) {
            long convs = net.spec().nodes().stream().filter(v -> v.node().quantRole()
                    == org.waecompress.spi.spec.QuantRole.WEIGHTED).count();
            long int8 = q.spec().nodes().stream().filter(v -> v.node() instanceof Int8Spec).count();
            assertEquals(convs, int8, "every convolution and linear layer is int8");
            assertTrue(q.spec().nodes().stream().allMatch(v -> !(v.node() instanceof QuantizeSpec p)
                    || p.calibrated()));
            assertTrue(messages.stream().anyMatch(m -> m.contains("calibrating") && m.contains("64 images")),
                    messages.toString());
            Evaluator e = new Evaluator(null);
            Accuracy a = e.evaluate("float", net, DATA, 32);
            Accuracy b = e.evaluate("int8", q, DATA, 32);
            assertTrue(a.top1Error() < 0.5, "the float network learned: " + a);
            assertTrue(Math.abs(a.top1Error() - b.top1Error()) <= 0.05, a + " vs " + b);
            // the input network is left as it was
            assertFalse(net.spec().nodes().stream().anyMatch(v -> v.node() instanceof QuantizeSpec));
        }
    }

    @Test
    void theSameSeedGivesTheSameQuantizedNetwork() {
        Map<String, Object> s = Map.of("calibrationImages", "32", "calibrator", "entropy");
        try (Network net = trained(); Network a = new Int8Strategy().compress(net, ctx(s, DATA, new ArrayList<>()));
                Network b = new Int8Strategy().compress(net, ctx(s, DATA, new ArrayList<>()))) {
            assertEquals(a.spec(), b.spec());
        }
    }

    @Test
    void quantizationAwareTrainingChangesTheWeightsAndKeepsTheScales() {
        Map<String, Object> ptq = Map.of("calibrationImages", "32");
        Map<String, Object> qat = Map.of("calibrationImages", "32", "fineTuneEpochs", "1");
        try (Network net = trained(); Network p = new Int8Strategy().compress(net, ctx(ptq, DATA, new ArrayList<>()));
                Network t = new Int8Strategy().compress(net, ctx(qat, DATA, new ArrayList<>()))) {
            assertEquals(p.spec().withName("x"), t.spec().withName("x"), "training keeps the calibrated points");
            String w = "features.0.weight";
            float[] before = p.weight(w).toFloatArray();
            float[] after = t.weight(w).toFloatArray();
            double moved = 0;
            for (int i = 0; i < before.length; i++) {
                moved = Math.max(moved, Math.abs(before[i] - after[i]));
            }
            assertTrue(moved > 1e-6, "the straight-through gradient reached the float weights");
        }
    }

    @Test
    void calibrationBelowOneBatchIsOneLineNamingTheKey() {
        CompressionContext c = ctx(Map.of("calibrationImages", "16"), DATA, new ArrayList<>());
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> new Int8Strategy().checkSettings(c));
        assertTrue(e.getMessage().startsWith("strategy.int8.calibrationImages = 16: fewer calibration images than "
                + "one batch (32)"), e.getMessage());
        ArrayImageDataset tiny = SyntheticImages.create(4, 20, new Shape(1, 16, 16), 4, 0.1);
        try (Network net = Network.random(Backbones.create("vgg16-bn-small", new Shape(1, 16, 16), 4, 0.125), 4, 1)) {
            InvalidSettingException t = assertThrows(InvalidSettingException.class,
                    () -> new Int8Strategy().compress(net, ctx(Map.of(), tiny, new ArrayList<>())));
            assertTrue(t.getMessage().contains("has only 20 images"), t.getMessage());
        }
    }

    @Test
    void aPointThatSeesOnlyZerosIsOneLineNamingIt() {
        NetworkSpec spec = new NetworkSpec("dead", new Shape(1, 16, 16), SequentialSpec.of("",
                org.waecompress.spi.spec.ConvSpec.of("c", 1, 2, 3, 1, 1, true), ActivationSpec.relu("r"),
                PoolSpec.max("p", 2, 2, 0, false), new FlattenSpec("f"), new LinearSpec("fc", 128, 4, true)));
        try (Network random = Network.random(spec, 4, 1); NDManager m = Devices.newManager()) {
            Map<String, NDArray> w = new HashMap<>(random.weights());
            w.put("c.weight", m.zeros(new Shape(2, 1, 3, 3)));
            w.put("c.bias", m.create(new float[] {-1f, -2f}));
            try (Network dead = Network.of(spec, 4, w, "dead")) {
                DataException e = assertThrows(DataException.class, () -> new Int8Strategy().compress(dead,
                        ctx(Map.of("calibrationImages", "32"), DATA, new ArrayList<>())));
                assertTrue(e.getMessage().contains("after r (activation) is zero"), e.getMessage());
            }
        }
    }

    @Test
    void valuesThatAreNotFiniteAreOneLineNamingThePoint() {
        NetworkSpec spec = new NetworkSpec("nan", new Shape(1, 16, 16), SequentialSpec.of("",
                org.waecompress.spi.spec.ConvSpec.of("c", 1, 2, 3, 1, 1, true), ActivationSpec.relu("r"),
                PoolSpec.max("p", 2, 2, 0, false), new FlattenSpec("f"), new LinearSpec("fc", 128, 4, true)));
        try (Network random = Network.random(spec, 4, 1); NDManager m = Devices.newManager()) {
            Map<String, NDArray> w = new HashMap<>(random.weights());
            w.put("c.bias", m.create(new float[] {Float.NaN, 1f}));
            try (Network broken = Network.of(spec, 4, w, "nan")) {
                DataException e = assertThrows(DataException.class, () -> new Int8Strategy().compress(broken,
                        ctx(Map.of("calibrationImages", "32"), DATA, new ArrayList<>())));
                assertTrue(e.getMessage().startsWith("int8 calibration: the values after r (activation) are not "
                        + "finite"), e.getMessage());
            }
        }
    }

    @Test
    void aPercentileOutsideItsRangeIsOneLineNamingTheKey() {
        for (String bad : new String[] {"0", "100.5", "-3"}) {
            InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> new Int8Strategy()
                    .checkSettings(ctx(Map.of("percentile", bad), DATA, new ArrayList<>())));
            assertTrue(e.getMessage().startsWith("strategy.int8.percentile = " + bad + ": "), e.getMessage());
        }
    }

    @Test
    void aNetworkWithoutWeightedLayersIsRefused() {
        NetworkSpec spec = new NetworkSpec("pool", new Shape(1, 16, 16), SequentialSpec.of("",
                PoolSpec.max("p", 4, 4, 0, false), new FlattenSpec("f")));
        try (Network net = Network.random(spec, 16, 1)) {
            SpecException e = assertThrows(SpecException.class, () -> new Int8Strategy().compress(net,
                    ctx(Map.of("calibrationImages", "32"), DATA, new ArrayList<>())));
            assertTrue(e.getMessage().startsWith("pool: has no layer int8 can quantize"), e.getMessage());
        }
    }

    @Test
    void int8IsTheLastStageOfAStackOrRefusedWithTheOrderToWrite() {
        StrategyRegistry r = StrategyRegistry.discover();
        CompressionStrategy ok = r.get("thinet+int8");
        assertEquals("thinet+int8", ok.id());
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> r.get("int8+thinet"));
        assertTrue(e.getMessage().contains("int8 changes the network's number format and must be the last stage")
                && e.getMessage().endsWith("write thinet+int8"), e.getMessage());
        assertThrows(InvalidSettingException.class, () -> r.get("lowrank+int8+thinet"));
    }

    @Test
    void theArchitectureIsQuantizedWithoutData() {
        NetworkSpec spec = Backbones.create("vgg16-bn-small", new Shape(1, 16, 16), 4, 0.125);
        NetworkSpec arch = new Int8Strategy().architecture(spec, ctx(Map.of(), null, new ArrayList<>()));
        assertTrue(arch.nodes().stream().anyMatch(v -> v.node() instanceof Int8Spec));
        assertTrue(arch.nodes().stream().allMatch(v -> !(v.node() instanceof QuantizeSpec p) || p.calibrated()));
        assertEquals("int8-" + spec.name(), arch.name());
    }

    @Test
    void theSampleIsASeededDrawWithoutReplacement() {
        int[] all = Int8Strategy.sample(10, 10, 7);
        assertEquals(java.util.stream.IntStream.range(0, 10).boxed().toList(),
                java.util.Arrays.stream(all).sorted().boxed().toList(), "a permutation");
        int[] some = Int8Strategy.sample(1000, 50, 7);
        assertEquals(50, java.util.Arrays.stream(some).distinct().count());
        assertTrue(java.util.Arrays.stream(some).allMatch(i -> i >= 0 && i < 1000));
        assertTrue(java.util.Arrays.equals(some, Int8Strategy.sample(1000, 50, 7)));
        assertFalse(java.util.Arrays.equals(some, Int8Strategy.sample(1000, 50, 8)), "another seed, another draw");
        assertFalse(java.util.Arrays.equals(Int8Strategy.sample(1000, 50, 3), Int8Strategy.sample(1000, 50, 4)));
        assertEquals(5, Int8Strategy.sample(5, 50, 7).length, "at most the data's size");
    }

    @Test
    void exactlyOneBatchIsEnoughAndFewerImagesThanAskedAreSaid() {
        new Int8Strategy().checkSettings(ctx(Map.of("calibrationImages", "32"), DATA, new ArrayList<>()));
        ArrayImageDataset forty = SyntheticImages.create(4, 40, new Shape(1, 16, 16), 4, 0.1);
        ArrayImageDataset exactly = SyntheticImages.create(4, 32, new Shape(1, 16, 16), 4, 0.1);
        try (Network net = trained()) {
            List<String> m = new ArrayList<>();
            new Int8Strategy().compress(net, ctx(Map.of("calibrationImages", "64"), forty, m)).close();
            assertTrue(m.stream().anyMatch(x -> x.contains("has 40 images; calibrating on all of them instead of 64")),
                    m.toString());
            assertTrue(m.stream().anyMatch(x -> x.contains("on 40 images")), m.toString());
            List<String> n = new ArrayList<>();
            new Int8Strategy().compress(net, ctx(Map.of("calibrationImages", "32"), exactly, n)).close();
            assertFalse(n.stream().anyMatch(x -> x.contains("instead of")), n.toString());
            assertTrue(n.stream().anyMatch(x -> x.contains("calibration histograms (percentile)")), n.toString());
        }
    }

    @Test
    void floatLeftoversAreLoggedAndTheNotesSayWhatRan() {
        NetworkSpec spec = new NetworkSpec("sig", new Shape(1, 16, 16), SequentialSpec.of("",
                org.waecompress.spi.spec.ConvSpec.of("c", 1, 2, 3, 2, 1, true), new ActivationSpec("s", "sigmoid"),
                new FlattenSpec("f"), new LinearSpec("fc", 128, 4, true)));
        List<String> m = new ArrayList<>();
        try (Network net = Network.random(spec, 4, 1); Network q = new Int8Strategy().compress(net,
                ctx(Map.of("calibrationImages", "32"), DATA, m))) {
            assertTrue(m.contains("int8: left in float: s (activation)"), m.toString());
            assertEquals(2, q.spec().nodes().stream().filter(v -> v.node() instanceof Int8Spec).count());
        }
        Int8Strategy st = new Int8Strategy();
        assertTrue(st.tableNote(ctx(Map.of(), null, m)).startsWith("post-training int8 (activations uint8 per "
                + "tensor, percentile 99.999 of |x| ranges from 512 training images"), st.tableNote(ctx(Map.of(), null,
                m)));
        assertTrue(st.tableNote(ctx(Map.of("fineTuneEpochs", "2", "calibrator", "entropy"), null, m))
                .startsWith("quantization-aware training for 2 epochs after int8 (activations uint8 per tensor, "
                        + "entropy"));
        assertTrue(st.tableNote(ctx(Map.of("calibrator", "minmax"), null, m)).contains("min-max ranges"));
        assertTrue(st.architectureNote(ctx(Map.of(), null, m)).startsWith("calibrated on 8 synthetic images"));
        assertEquals(List.of("calibrationImages", "calibrator", "percentile", "fineTuneEpochs",
                "fineTuneRateFactor"), st.settings().stream().map(x -> x.name()).toList());
        assertTrue(st.description().startsWith("Static int8 quantization"));
        assertTrue(st.lastInStack());
    }
}

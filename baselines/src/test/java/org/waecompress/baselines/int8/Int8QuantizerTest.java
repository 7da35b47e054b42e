package org.waecompress.baselines.int8;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.ActivationSpec;
import org.waecompress.spi.spec.BatchNormSpec;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.FlattenSpec;
import org.waecompress.spi.spec.Int8Spec;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.PoolSpec;
import org.waecompress.spi.spec.QuantizeSpec;
import org.waecompress.spi.spec.ResidualSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecTraversal;

class Int8QuantizerTest {

    /** conv, batch-norm, relu, max-pool, flatten, linear: the unnamed children are named by index. */
    static NetworkSpec small() {
        return new NetworkSpec("small", new Shape(2, 6, 6), new SequentialSpec(null, List.of(
                ConvSpec.of(null, 2, 4, 3, 1, 1, false), new BatchNormSpec(null, 4, true, 1e-5, 0.1),
                ActivationSpec.relu(null), PoolSpec.max(null, 2, 2, 0, false), new FlattenSpec(null),
                new LinearSpec(null, 36, 3, true))));
    }

    /** Batch-norm with statistics that are not the identity, so that folding has something to do. */
    static Network withStatistics(NetworkSpec spec) {
        try (Network random = Network.random(spec, 3, 5); NDManager m = Devices.newManager()) {
            Map<String, NDArray> w = new HashMap<>(random.weights());
            w.put("1.running_mean", m.create(new float[] {0.5f, -1f, 0.25f, 2f}));
            w.put("1.running_var", m.create(new float[] {4f, 0.25f, 1f, 9f}));
            w.put("1.weight", m.create(new float[] {1.5f, -0.5f, 2f, 1f}));
            w.put("1.bias", m.create(new float[] {0.1f, 0.2f, -0.3f, 0.4f}));
            return Network.of(spec, 3, w, "test");
        }
    }

    static float[] run(Network net, float[] x, Shape shape) {
        try (NDManager m = Devices.newManager(); BuiltNetwork b = net.build(m)) {
            return b.predict(b.manager().create(x, shape)).toFloatArray();
        }
    }

    static float[] input(int n, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    @Test
    void pinningNamesKeepsEveryParameterPath() {
        NetworkSpec spec = small();
        LayerSpec pinned = Int8Quantizer.pin(spec.root());
        NetworkSpec p = new NetworkSpec("p", spec.inputShape(), pinned);
        assertEquals(spec.parameters(), p.parameters());
        assertEquals("3", pinned.children().get(3).name());
    }

    @Test
    void foldingBatchNormComputesWhatTheNetworkComputed() {
        try (Network net = withStatistics(small()); Network folded = Int8Quantizer.fold(net)) {
            assertTrue(folded.spec().nodes().stream().noneMatch(v -> v.node() instanceof BatchNormSpec));
            assertTrue(folded.weights().containsKey("0.bias"), "the folded conv gains a bias");
            // the linear layer keeps its name although the batch-norm before it is gone
            assertTrue(folded.weights().containsKey("5.weight"));
            float[] x = input(2 * 2 * 6 * 6, 3);
            float[] a = run(net, x, new Shape(2, 2, 6, 6));
            float[] b = run(folded, x, new Shape(2, 2, 6, 6));
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], 1e-5, "output " + i);
            }
        }
    }

    @Test
    void aBatchNormAfterADecomposedConvolutionFoldsIntoItsLastLayer() {
        // low-rank's form of a convolution: a sequential of two, with the batch-norm after the sequential
        NetworkSpec spec = new NetworkSpec("lr", new Shape(2, 6, 6), new SequentialSpec(null, List.of(
                SequentialSpec.of("0", ConvSpec.of("0", 2, 3, 3, 1, 1, false), ConvSpec.of("1", 3, 4, 1, 1, 0, true)),
                new BatchNormSpec(null, 4, true, 1e-5, 0.1), ActivationSpec.relu(null), PoolSpec.max(null, 2, 2, 0,
                        false), new FlattenSpec(null), new LinearSpec(null, 36, 3, true))));
        try (Network net = withStatistics(spec); Network folded = Int8Quantizer.fold(net)) {
            assertTrue(folded.spec().nodes().stream().noneMatch(v -> v.node() instanceof BatchNormSpec));
            float[] x = input(2 * 2 * 6 * 6, 4);
            float[] a = run(net, x, new Shape(2, 2, 6, 6));
            float[] b = run(folded, x, new Shape(2, 2, 6, 6));
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], 1e-5, "output " + i);
            }
        }
    }

    @Test
    void pointsArePlacedWhereOnnxRuntimesKernelsReadAndWriteUint8() {
        Int8Quantizer.Folded f = Int8Quantizer.fold(small());
        Int8Quantizer.Planned observing = Int8Quantizer.plan(f.spec(), null);
        // input, after relu, (the max-pool keeps the relu's scale), then the linear reads it
        assertEquals(2, observing.points());
        assertEquals(List.of("before 0 (conv)", "after 2 (activation)"), observing.labels());
        Map<Integer, Calibrators.Range> ranges = Map.of(0, Calibrators.minMax(-2, 2), 1, Calibrators.minMax(0, 3));
        Int8Quantizer.Planned planned = Int8Quantizer.plan(f.spec(), ranges);
        List<String> types = planned.spec().root().children().stream().map(LayerSpec::type)
                .collect(Collectors.toList());
        assertEquals(List.of("quantize", "int8", "activation", "quantize", "pool", "quantize", "flatten", "quantize",
                "int8"), types);
        Int8Spec conv = (Int8Spec) planned.spec().root().children().get(1);
        assertEquals(ranges.get(0).scale(), conv.inputScale());
        Int8Spec linear = (Int8Spec) planned.spec().root().children().get(8);
        assertEquals(ranges.get(1).scale(), linear.inputScale(), "the linear layer reads the relu's scale");
        QuantizeSpec afterPool = (QuantizeSpec) planned.spec().root().children().get(5);
        assertEquals(ranges.get(1).scale(), afterPool.scale());
        assertEquals(0, afterPool.zeroPoint());
        assertEquals(f.spec().parameters(), planned.spec().parameters());
        assertTrue(planned.floatNodes().isEmpty(), planned.floatNodes().toString());
    }

    @Test
    void aResidualAddReadsQuantizedBranchesAndIsQuantizedAfter() {
        LayerSpec body = SequentialSpec.of("body", ConvSpec.of("c1", 4, 4, 3, 1, 1, true), ActivationSpec.relu("r"),
                ConvSpec.of("c2", 4, 4, 3, 1, 1, true));
        NetworkSpec spec = new NetworkSpec("res", new Shape(4, 5, 5), SequentialSpec.of("",
                ConvSpec.of("stem", 4, 4, 1, 1, 0, true), ActivationSpec.relu("stemRelu"),
                new ResidualSpec("block", body, null, "relu"), new FlattenSpec("f"), new LinearSpec("fc", 100, 2,
                        true)));
        Int8Quantizer.Planned p = Int8Quantizer.plan(Int8Quantizer.fold(spec).spec(), null);
        assertEquals(List.of("before stem (conv)", "after stemRelu (activation)", "after block.body.r (activation)",
                "after block.body (sequential)", "after block (residual)"), p.labels());
        assertEquals(spec.parameters(), p.spec().parameters());
    }

    @Test
    void aNodeTypeWithoutAnInt8FormStaysFloatAndIsListed() {
        NetworkSpec spec = new NetworkSpec("sig", new Shape(3), SequentialSpec.of("", new LinearSpec("a", 3, 3, true),
                new ActivationSpec("s", "sigmoid"), new LinearSpec("b", 3, 2, true)));
        Int8Quantizer.Planned p = Int8Quantizer.plan(Int8Quantizer.fold(spec).spec(), null);
        assertEquals(List.of("s (activation)"), p.floatNodes());
        // the second linear layer reads the sigmoid's float output through a point of its own
        assertEquals(List.of("before a (linear)", "before b (linear)"), p.labels());
    }

    @Test
    void aQuantizedNetworkIsNotQuantizedAgain() {
        Int8Quantizer.Folded f = Int8Quantizer.fold(small());
        NetworkSpec q = Int8Quantizer.plan(f.spec(), Map.of(0, Calibrators.minMax(-1, 1), 1,
                Calibrators.minMax(0, 1))).spec();
        CompressionException e = assertThrows(CompressionException.class, () -> Int8Quantizer.fold(q));
        assertTrue(e.getMessage().startsWith("int8: the network is already quantized (quantize node at quant0)"),
                e.getMessage());
        NetworkSpec nested = new NetworkSpec("n", q.inputShape(), SequentialSpec.of("", SequentialSpec.of("inner",
                q.root())));
        assertTrue(assertThrows(CompressionException.class, () -> Int8Quantizer.fold(nested)).getMessage()
                .contains("quantize node at inner.0.quant0"));
    }

    @Test
    void calibrationSeesEveryPointAndPathsStayTorchvisions() {
        try (Network net = withStatistics(small()); Network folded = Int8Quantizer.fold(net)) {
            Int8Quantizer.Planned obs = Int8Quantizer.plan(folded.spec(), null);
            var images = org.waecompress.spi.data.SyntheticImages.create(1, 20, new Shape(2, 6, 6), 3, 0.1);
            int[] idx = java.util.stream.IntStream.range(0, 20).toArray();
            try (Network o = Network.of(obs.spec(), 3, folded.weights(), "t")) {
                Map<Integer, Calibrators.Range> r = Calibration.calibrate(o, obs, images, idx, 8, "minmax", 100,
                        "int8", org.waecompress.spi.train.ProgressListener.NONE);
                assertEquals(2, r.size());
                assertEquals(0, r.get(1).low(), 0, "after a relu the range starts at 0");
                // the input's range is the images' own
                float lo = Float.MAX_VALUE;
                float hi = -Float.MAX_VALUE;
                float[] px = new float[72];
                for (int i = 0; i < 20; i++) {
                    images.copyImage(i, px, 0);
                    for (float v : px) {
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
                }
                assertEquals(Math.min(lo, 0), r.get(0).low(), 1e-6);
                assertEquals(Math.max(hi, 0), r.get(0).high(), 1e-6);
            }
            assertTrue(SpecTraversal.nodes(obs.spec().root(), obs.spec().inputShape()).size() > 6);
        }
    }

    @Test
    void anAveragePoolReadsUint8AndRequantizes() {
        NetworkSpec spec = new NetworkSpec("avg", new Shape(2, 8, 8), SequentialSpec.of("",
                ConvSpec.of("a", 2, 4, 3, 1, 1, true), ActivationSpec.relu("r"),
                new PoolSpec("p", "avg", org.waecompress.spi.spec.HeightWidth.of(2), null, null, false),
                new ActivationSpec("s", "sigmoid"),
                new PoolSpec("q", "avg", org.waecompress.spi.spec.HeightWidth.of(2), null, null, false),
                new FlattenSpec("f"), new LinearSpec("fc", 16, 2, true)));
        Int8Quantizer.Planned p = Int8Quantizer.plan(Int8Quantizer.fold(spec).spec(), null);
        // after the relu, p reads it and requantizes; after the float sigmoid, q needs a point before it
        assertEquals(List.of("before a (conv)", "after r (activation)", "after p (pool)", "before q (pool)",
                "after q (pool)"), p.labels());
        assertEquals(List.of("s (activation)"), p.floatNodes());
    }

    @Test
    void aLoneLayerAtTheRootKeepsItsName() {
        NetworkSpec spec = new NetworkSpec("one", new Shape(3), new LinearSpec("fc", 3, 2, true));
        Int8Quantizer.Folded f = Int8Quantizer.fold(spec);
        NetworkSpec q = Int8Quantizer.plan(f.spec(), Map.of(0, Calibrators.minMax(-1, 1))).spec();
        assertEquals(spec.parameters(), q.parameters());
        assertEquals(List.of("quantize", "int8"), q.root().children().stream().map(LayerSpec::type).toList());
        assertEquals("fc", q.root().name());
    }

    @Test
    void aResidualWhoseBranchesAreSingleLayersKeepsEveryName() {
        NetworkSpec spec = new NetworkSpec("res1", new Shape(4, 5, 5), SequentialSpec.of("",
                ConvSpec.of("stem", 4, 4, 1, 1, 0, true), ActivationSpec.relu("r0"),
                new ResidualSpec("block", ConvSpec.of("body", 4, 4, 3, 1, 1, true), ConvSpec.of("proj", 4, 4, 1, 1, 0,
                        true), null),
                new FlattenSpec("f"), new LinearSpec("fc", 100, 2, true)));
        Int8Quantizer.Folded f = Int8Quantizer.fold(spec);
        Int8Quantizer.Planned obs = Int8Quantizer.plan(f.spec(), null);
        assertEquals(List.of("before stem (conv)", "after r0 (activation)", "after block.body (conv)",
                "after block.proj (conv)", "after block (residual)"), obs.labels());
        Map<Integer, Calibrators.Range> ranges = new java.util.HashMap<>();
        for (int i = 0; i < obs.points(); i++) {
            ranges.put(i, Calibrators.minMax(-1, 1 + i));
        }
        NetworkSpec q = Int8Quantizer.plan(f.spec(), ranges).spec();
        assertEquals(spec.parameters(), q.parameters());
        try (Network net = Network.random(q, 2, 1)) {
            assertEquals(2, run(net, input(100, 1), new Shape(1, 4, 5, 5)).length);
        }
    }

    @Test
    void aConcatReadsQuantizedBranchesAndIsQuantizedAfter() {
        NetworkSpec spec = new NetworkSpec("cat", new Shape(2, 4, 4), SequentialSpec.of("",
                new org.waecompress.spi.spec.ConcatSpec("cat", List.of(ConvSpec.of("a", 2, 3, 1, 1, 0, true),
                        SequentialSpec.of("b", ConvSpec.of("0", 2, 3, 3, 1, 1, true), ActivationSpec.relu("1")))),
                new FlattenSpec("f"), new LinearSpec("fc", 96, 2, true)));
        Int8Quantizer.Planned p = Int8Quantizer.plan(Int8Quantizer.fold(spec).spec(), null);
        assertEquals(List.of("before cat (concat)", "after cat.a (conv)", "after cat.b.1 (activation)",
                "after cat (concat)"), p.labels());
        assertEquals(spec.parameters(), p.spec().parameters());
    }

    @Test
    void anUnknownCompositeHasEachChildQuantizedOnItsOwn() {
        NetworkSpec spec = new NetworkSpec("pair", new Shape(2, 4, 4), SequentialSpec.of("",
                new TestPair("pair", SequentialSpec.of("x", ConvSpec.of("c", 2, 3, 3, 1, 1, true),
                        ActivationSpec.relu("r")), ConvSpec.of("y", 3, 3, 1, 1, 0, true)),
                new FlattenSpec("f"), new LinearSpec("fc", 48, 2, true)));
        Int8Quantizer.Folded f = Int8Quantizer.fold(spec);
        Int8Quantizer.Planned p = Int8Quantizer.plan(f.spec(), null);
        // each child starts from a float value: the composite's own operations are not known
        assertEquals(List.of("before pair.x.c (conv)", "after pair.x.r (activation)", "before pair.y (conv)",
                "before fc (linear)"), p.labels());
        assertEquals(List.of("pair (testPair: its own operations between its parts)"), p.floatNodes());
        Map<Integer, Calibrators.Range> ranges = new java.util.HashMap<>();
        for (int i = 0; i < p.points(); i++) {
            ranges.put(i, Calibrators.minMax(-2, 2));
        }
        NetworkSpec q = Int8Quantizer.plan(f.spec(), ranges).spec();
        assertEquals(spec.parameters(), q.parameters());
        assertEquals("testPair", q.root().children().get(0).type());
    }
}

package org.waecompress.experiments.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import ai.onnx.proto.OnnxMl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.waecompress.backbones.Backbones;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.error.DataException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.ActivationSpec;
import org.waecompress.spi.spec.BatchNormSpec;
import org.waecompress.spi.spec.ConcatSpec;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.FlattenSpec;
import org.waecompress.spi.spec.GateSpec;
import org.waecompress.spi.spec.GlobalAvgPoolSpec;
import org.waecompress.spi.spec.HeightWidth;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.PoolSpec;
import org.waecompress.spi.spec.ResidualSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecJson;
import org.waecompress.spi.surgery.ChannelGroups;

/**
 * The ONNX importer: files the project exports come back as the same spec and weights; the same files
 * without waec's metadata, and graphs written the way PyTorch writes them, import by their operators
 * and compute what the file computes in ONNX Runtime (1e-4 of the largest output); bad files are one
 * line naming the file and the node.
 */
class OnnxImportTest {

    @TempDir
    Path dir;

    /**
     * A MobileNet-style block (expand, depthwise, project, skip), squeeze-excitation, a concat block, SiLU and
     * the new activations.
     */
    static NetworkSpec mixed() {
        ConvSpec dw = new ConvSpec("dw", 8, 8, HeightWidth.of(3), HeightWidth.of(1), HeightWidth.of(1), 8, false);
        return new NetworkSpec("mixed", new Shape(3, 16, 16), SequentialSpec.of("",
                ConvSpec.of("stem", 3, 4, 3, 2, 1, false), BatchNormSpec.of("stem_bn", 4),
                new ActivationSpec("stem_act", "relu6"),
                new ResidualSpec("block", SequentialSpec.of("body", ConvSpec.of("expand", 4, 8, 1, 1, 0, false),
                        BatchNormSpec.of("expand_bn", 8), new ActivationSpec("a1", "hardswish"), dw,
                        BatchNormSpec.of("dw_bn", 8), new ActivationSpec("a2", "relu6"),
                        ConvSpec.of("project", 8, 4, 1, 1, 0, false), BatchNormSpec.of("project_bn", 4)), null,
                        null),
                new GateSpec("se", SequentialSpec.of("", new PoolSpec("squeeze", "avg", HeightWidth.of(8), null, null,
                        false), ConvSpec.of("reduce", 4, 2, 1, 1, 0, true), ActivationSpec.relu("r"),
                        ConvSpec.of("expand", 2, 4, 1, 1, 0, true), new ActivationSpec("s", "hardsigmoid"))),
                new ConcatSpec("fire", List.of(ConvSpec.of("e1", 4, 4, 1, 1, 0, true),
                        ConvSpec.of("e3", 4, 4, 3, 1, 1, true))),
                new GateSpec("silu", new ActivationSpec("s", "sigmoid")),
                new ActivationSpec("gate", "hardsigmoid"),
                PoolSpec.max("pool", 2, 2, 0, false), new FlattenSpec("flat"), new LinearSpec("fc", 8 * 16, 10, true)));
    }

    static Stream<NetworkSpec> specs() {
        return Stream.of(Backbones.create("resnet20", new Shape(1, 16, 16), 10, 0.25),
                Backbones.create("vgg16-bn-small", new Shape(1, 32, 32), 10, 0.25), mixed());
    }

    @ParameterizedTest
    @MethodSource("specs")
    void aFileWaecExportedComesBackAsTheSameSpecAndWeights(NetworkSpec spec) {
        try (Network net = OnnxTesting.randomized(spec, 10, 3)) {
            Path f = dir.resolve("net.onnx");
            OnnxExport.write(net, f);
            try (OnnxImport.Imported i = OnnxImport.read(f)) {
                assertEquals(SpecJson.toJson(spec), SpecJson.toJson(i.network().spec()));
                assertEquals(10, i.network().classes());
                for (String p : spec.parameters().keySet()) {
                    assertArrayEquals(net.weight(p).toFloatArray(), i.network().weight(p).toFloatArray(), 0f, p);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void withoutItsMetadataAFileImportsByItsOperatorsAndComputesTheSame(NetworkSpec spec) throws Exception {
        try (Network net = OnnxTesting.randomized(spec, 10, 5)) {
            Path exported = dir.resolve("exported.onnx");
            OnnxExport.write(net, exported);
            Path f = OnnxGraphs.write(stripped(exported), dir.resolve("graph.onnx"));
            try (OnnxImport.Imported i = OnnxImport.read(f)) {
                assertTrue(i.notes().isEmpty(), i.notes().toString());
                CostReport a = CostReport.of(spec);
                CostReport b = CostReport.of(i.network().spec());
                assertEquals(a.totalMacs(), b.totalMacs());
                assertEquals(a.totalParams(), b.totalParams());
                // the file's own initializer names are the leaves' parameter names
                assertEquals(spec.parameters().keySet(), i.network().spec().parameters().keySet());
                assertEquals(count(spec, ResidualSpec.class), count(i.network().spec(), ResidualSpec.class));
                assertEquals(count(spec, ConcatSpec.class), count(i.network().spec(), ConcatSpec.class));
                assertEquals(count(spec, GateSpec.class), count(i.network().spec(), GateSpec.class));
                OnnxCheck.Result r = OnnxCheck.compareWithSource(i, f, 2, 9);
                assertTrue(r.passes(), r.describe());
                OnnxTesting.assertEquivalent(i.network(), dir, 2);
            }
        }
    }

    static long count(NetworkSpec spec, Class<?> type) {
        return spec.nodes().stream().filter(v -> type.isInstance(v.node())).count();
    }

    static OnnxMl.ModelProto stripped(Path file) throws Exception {
        return OnnxMl.ModelProto.parseFrom(Files.readAllBytes(file)).toBuilder().clearMetadataProps().build();
    }

    /** An inverted residual as PyTorch writes it: Conv, Clip(0, 6), depthwise Conv, Clip, Conv, Add. */
    static OnnxGraphs invertedResidual(long seed) {
        OnnxGraphs g = new OnnxGraphs(3, 12, 12, seed);
        String x = g.relu6("/stem/Clip", g.conv("features.0", "input", 3, 8, 3, 1, 1, 1));
        String e = g.relu6("/features.1/expand/Clip", g.conv("features.1.expand", x, 8, 16, 1, 1, 0, 1));
        String d = g.relu6("/features.1/dw/Clip", g.conv("features.1.dw", e, 16, 16, 3, 1, 1, 16));
        String p = g.conv("features.1.project", d, 16, 8, 1, 1, 0, 1);
        String sum = g.op("Add", "/features.1/Add", x, p).out();
        String gap = g.op("GlobalAveragePool", "/pool/GlobalAveragePool", sum).out();
        String shape = g.longs("flat_shape", 0, -1);
        String flat = g.op("Reshape", "/Reshape", gap, shape).out();
        String drop = g.op("Dropout", "/classifier/classifier.0/Dropout", flat).out();
        // Keras and TensorFlow write a dense layer as MatMul by an (in, out) matrix, then Add
        String w = g.weight("dense/kernel", 0.3, 8, 5);
        String b = g.weight("dense/bias", 0.1, 5);
        String mm = g.op("MatMul", "/dense/MatMul", drop, w).out();
        String y = g.op("Add", "/dense/Add", mm, b).out();
        return g.output(y, 5);
    }

    @Test
    void pytorchsAndKerassPatternsImport() throws Exception {
        Path f = invertedResidual(1).write(dir.resolve("mobile.onnx"));
        try (OnnxImport.Imported i = OnnxImport.read(f)) {
            NetworkSpec s = i.network().spec();
            assertEquals(new Shape(3, 12, 12), s.inputShape());
            assertEquals(5, i.network().classes());
            assertEquals("relu6", ((ActivationSpec) s.node("stem")).kind());
            assertEquals(16, ((ConvSpec) s.node("features.1.dw")).groups());
            assertTrue(s.node("pool") instanceof GlobalAvgPoolSpec);
            LinearSpec dense = (LinearSpec) s.nodes().stream().filter(v -> v.node() instanceof LinearSpec)
                    .findFirst().orElseThrow().node();
            assertTrue(dense.bias());
            assertEquals(1, count(s, ResidualSpec.class));
            OnnxCheck.Result r = OnnxCheck.compareWithSource(i, f, 2, 3);
            assertTrue(r.passes(), r.describe());
            // the expand convolution's channels pass the depthwise one to the projection: one prunable group
            ChannelGroups.Group g = ChannelGroups.of(s, "features.1.expand");
            assertEquals(List.of("features.1.dw"), g.passThrough());
            assertTrue(g.simple());
        }
    }

    @Test
    void aConcatBlockAndAFinalSoftmaxImport() throws Exception {
        OnnxGraphs g = new OnnxGraphs(2, 8, 8, 4);
        String sq = g.op("Relu", "/fire/squeeze_activation/Relu", g.conv("fire.squeeze", "input", 2, 4, 1, 1, 0, 1))
                .out();
        String e1 = g.op("Relu", "/fire/e1/Relu", g.conv("fire.expand1x1", sq, 4, 3, 1, 1, 0, 1)).out();
        String e3 = g.op("Relu", "/fire/e3/Relu", g.conv("fire.expand3x3", sq, 4, 5, 3, 1, 1, 1)).out();
        String cat = g.op("Concat", "/fire/Concat", e1, e3).i("axis", 1).out();
        String head = g.conv("classifier.1", cat, 8, 6, 1, 1, 0, 1);
        String gap = g.op("GlobalAveragePool", "/gap", head).out();
        String flat = g.op("Flatten", "/flat", gap).i("axis", 1).out();
        String soft = g.op("Softmax", "/softmax", flat).i("axis", 1).out();
        Path f = g.output(soft, 6).write(dir.resolve("fire.onnx"));
        try (OnnxImport.Imported i = OnnxImport.read(f)) {
            assertTrue(i.softmaxDropped());
            assertTrue(i.notes().get(0).contains("Softmax"), i.notes().toString());
            assertEquals(1, count(i.network().spec(), ConcatSpec.class));
            OnnxCheck.Result r = OnnxCheck.compareWithSource(i, f, 2, 3);
            assertTrue(r.passes(), r.describe());
            ChannelGroups.Group e3g = ChannelGroups.of(i.network().spec(), "fire.expand3x3");
            assertEquals(3, e3g.consumers().get(0).offset());
        }
    }

    @Test
    void denseNetsGrowingConcatsImport() throws Exception {
        // x0; x1 = f(x0); x2 = f(cat(x0, x1)); out = cat(x0, x1, x2): the last concat repeats the one before
        OnnxGraphs g = new OnnxGraphs(4, 6, 6, 8);
        String x1 = g.op("Relu", "/l1/Relu", g.conv("block.l1", "input", 4, 2, 3, 1, 1, 1)).out();
        String c1 = g.op("Concat", "/l2/Concat", "input", x1).i("axis", 1).out();
        String x2 = g.op("Relu", "/l2/Relu", g.conv("block.l2", c1, 6, 2, 3, 1, 1, 1)).out();
        String c2 = g.op("Concat", "/block/Concat", "input", x1, x2).i("axis", 1).out();
        String gap = g.op("GlobalAveragePool", "/gap", c2).out();
        String flat = g.op("Flatten", "/flat", gap).i("axis", 1).out();
        String w = g.weight("fc.weight", 0.3, 3, 8);
        String y = g.op("Gemm", "/fc/Gemm", flat, w, g.weight("fc.bias", 0.1, 3)).i("transB", 1).out();
        Path f = g.output(y, 3).write(dir.resolve("dense.onnx"));
        try (OnnxImport.Imported i = OnnxImport.read(f)) {
            assertEquals(2, count(i.network().spec(), ConcatSpec.class));
            OnnxCheck.Result r = OnnxCheck.compareWithSource(i, f, 2, 3);
            assertTrue(r.passes(), r.describe());
        }
    }

    @Test
    void badFilesAreOneLineNamingTheFileAndNode() throws Exception {
        Path text = Files.writeString(dir.resolve("text.onnx"), "not a model at all\n");
        assertBad(text, "not an ONNX model");
        byte[] good = invertedResidual(1).model().toByteArray();
        Path cut = Files.write(dir.resolve("cut.onnx"), java.util.Arrays.copyOf(good, good.length / 2));
        assertBad(cut, "truncated");
        assertBad(invertedResidual(1).opset(10).write(dir.resolve("old.onnx")), "opset 10 is outside");
        assertBad(invertedResidual(1).opset(19).write(dir.resolve("new.onnx")), "opset 19 is outside");
        OnnxMl.ModelProto m = invertedResidual(1).model();
        OnnxMl.ModelProto.Builder dyn = m.toBuilder();
        dyn.getGraphBuilder().getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder()
                .getDimBuilder(2).clearDimValue().setDimParam("height");
        assertBad(OnnxGraphs.write(dyn.build(), dir.resolve("dyn.onnx")), "dynamic H ('height')");
        OnnxMl.ModelProto.Builder lrn = m.toBuilder();
        lrn.getGraphBuilder().getNodeBuilder(1).setOpType("LRN");
        assertBad(OnnxGraphs.write(lrn.build(), dir.resolve("lrn.onnx")), "LRN node '/stem/Clip' is not an operator "
                + "the importer maps");
        OnnxMl.ModelProto.Builder shape = m.toBuilder();
        for (OnnxMl.TensorProto.Builder t : shape.getGraphBuilder().getInitializerBuilderList()) {
            if (t.getName().equals("features.0.weight")) {
                t.setDims(1, 2).setRawData(t.getRawData().substring(0, t.getRawData().size() / 3 * 2));
            }
        }
        assertBad(OnnxGraphs.write(shape.build(), dir.resolve("shape.onnx")), "Conv node '/features.0/Conv': "
                + "weight 'features.0.weight' of shape [8, 2, 3, 3]");
        OnnxMl.ModelProto.Builder ext = m.toBuilder();
        for (OnnxMl.TensorProto.Builder t : ext.getGraphBuilder().getInitializerBuilderList()) {
            if (t.getName().equals("features.0.weight")) {
                t.clearRawData().setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL).addExternalData(
                        OnnxMl.StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin"));
            }
        }
        assertBad(OnnxGraphs.write(ext.build(), dir.resolve("ext.onnx")), "'weights.bin', which is missing");
    }

    @Test
    void gemmsOtherFormsPaddedPoolsAndFoldedPadsComputeTheSame() throws Exception {
        OnnxGraphs g = new OnnxGraphs(2, 9, 9, 12);
        String x = g.op("Relu", "/x/Relu", g.conv("x", "input", 2, 4, 3, 1, 1, 1)).out();
        // an average pool that pads and counts the padding, as PyTorch's AvgPool2d(3, 2, 1) by default
        String avg = g.op("AveragePool", "/avg", x).ints("kernel_shape", 3, 3).ints("strides", 2, 2)
                .ints("pads", 1, 1, 1, 1).i("count_include_pad", 1).out();
        // a Pad of zeros before a pool and before a convolution (PyTorch writes padded average pools so)
        String padded = g.op("Pad", "/pad1", avg, g.longs("p1", 0, 0, 1, 1, 0, 0, 1, 1)).out();
        String pooled = g.op("AveragePool", "/avg2", padded).ints("kernel_shape", 2, 2).ints("strides", 1, 1).out();
        String padded2 = g.op("Pad", "/pad2", pooled, g.longs("p2", 0, 0, 1, 2, 0, 0, 1, 2)).out();
        String conv = g.conv("y", padded2, 4, 3, 3, 1, 0, 1);
        String flat = g.op("Flatten", "/flat", conv).i("axis", 1).out();
        // Keras-style (in, out) weights without transB, and alpha, beta other than 1
        long features = 3L * 6 * 8;
        String y = g.op("Gemm", "/fc/Gemm", flat, g.weight("fc.weight", 0.2, features, 5), g.weight("fc.bias", 0.1,
                5)).f("alpha", 0.5f).f("beta", 2f).out();
        Path f = g.output(y, 5).write(dir.resolve("forms.onnx"));
        try (OnnxImport.Imported i = OnnxImport.read(f)) {
            NetworkSpec s = i.network().spec();
            assertEquals(new HeightWidth(1, 2), ((ConvSpec) s.node("y")).padding());
            assertEquals(0, count(s, org.waecompress.spi.spec.DropoutSpec.class));
            OnnxCheck.Result r = OnnxCheck.compareWithSource(i, f, 2, 3);
            assertTrue(r.passes(), r.describe());
        }
    }

    @Test
    void operatorsOutsideWhatTheSpecComputesAreNamed() throws Exception {
        OnnxMl.ModelProto m = invertedResidual(3).model();
        OnnxMl.ModelProto.Builder clip = m.toBuilder();
        for (OnnxMl.TensorProto.Builder t : clip.getGraphBuilder().getInitializerBuilderList()) {
            if (t.getName().equals("/stem/Clip.max")) {
                t.setRawData(com.google.protobuf.ByteString.copyFrom(java.nio.ByteBuffer.allocate(4)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(3f).array()));
            }
        }
        assertBad(OnnxGraphs.write(clip.build(), dir.resolve("clip3.onnx")), "Clip node '/stem/Clip' clips to "
                + "[0.0, 3.0]");
        OnnxGraphs h = new OnnxGraphs(2, 4, 4, 1);
        String hs = h.op("HardSigmoid", "/hs", h.conv("c", "input", 2, 2, 1, 1, 0, 1)).out();
        String fl = h.op("Flatten", "/flat", hs).i("axis", 1).out();
        h.output(h.op("Gemm", "/fc", fl, h.weight("fc.weight", 0.3, 3, 32)).i("transB", 1).out(), 3);
        assertBad(h.write(dir.resolve("hs.onnx")), "HardSigmoid node '/hs' has alpha 0.2");
        OnnxGraphs r = new OnnxGraphs(2, 4, 4, 1);
        String rs = r.op("Reshape", "/r", r.conv("c", "input", 2, 2, 1, 1, 0, 1), r.longs("to", 0, 8, 4)).out();
        String rf = r.op("Flatten", "/flat", rs).i("axis", 1).out();
        r.output(r.op("Gemm", "/fc", rf, r.weight("fc.weight", 0.3, 3, 32)).i("transB", 1).out(), 3);
        assertBad(r.write(dir.resolve("reshape.onnx")), "which is not a flatten");
        OnnxMl.ModelProto.Builder dynC = m.toBuilder();
        dynC.getGraphBuilder().getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder()
                .getDimBuilder(1).clearDimValue().setDimParam("channels");
        assertBad(OnnxGraphs.write(dynC.build(), dir.resolve("dync.onnx")), "dynamic C ('channels')");
        OnnxGraphs c = new OnnxGraphs(2, 4, 4, 1);
        String cat = c.op("Concat", "/cat", c.conv("c", "input", 2, 2, 1, 1, 0, 1), c.weight("k", 1, 1, 2, 4, 4))
                .i("axis", 1).out();
        String cf = c.op("Flatten", "/flat", cat).i("axis", 1).out();
        c.output(c.op("Gemm", "/fc", cf, c.weight("fc.weight", 0.3, 3, 64)).i("transB", 1).out(), 3);
        assertBad(c.write(dir.resolve("cat.onnx")), "Concat node '/cat' concatenates a constant");
    }

    @Test
    void aGraphTheTreeCannotExpressIsOneLineNamingTheNodes() throws Exception {
        // a and b join in c, then a joins c again: not a tree of residual, concat and gate blocks
        OnnxGraphs g = new OnnxGraphs(2, 6, 6, 5);
        String x = g.op("Relu", "/x/Relu", g.conv("x", "input", 2, 4, 3, 1, 1, 1)).out();
        String a = g.conv("a", x, 4, 4, 3, 1, 1, 1);
        String b = g.conv("b", x, 4, 4, 1, 1, 0, 1);
        String c = g.op("Add", "/c/Add", a, b).out();
        String d = g.op("Add", "/d/Add", c, a).out();
        String gap = g.op("GlobalAveragePool", "/gap", d).out();
        String flat = g.op("Flatten", "/flat", gap).i("axis", 1).out();
        String y = g.op("Gemm", "/fc/Gemm", flat, g.weight("fc.weight", 0.3, 3, 4)).i("transB", 1).out();
        assertBad(g.output(y, 3).write(dir.resolve("tangle.onnx")), "the tree of residual, concat and gate blocks "
                + "cannot express");
        // a product of two computed branches is no gate (x * gate(x))
        OnnxGraphs two = new OnnxGraphs(2, 6, 6, 5);
        String f = two.op("Relu", "/f/Relu", two.conv("f", "input", 2, 4, 3, 1, 1, 1)).out();
        String l = two.op("Sigmoid", "/l", f).out();
        String r = two.op("Tanh", "/r", f).out();
        String m = two.op("Mul", "/m/Mul", l, r).out();
        String p = two.op("Flatten", "/flat", two.op("GlobalAveragePool", "/gap", m).out()).i("axis", 1).out();
        String out = two.op("Gemm", "/fc/Gemm", p, two.weight("fc.weight", 0.3, 3, 4)).i("transB", 1).out();
        assertBad(two.output(out, 3).write(dir.resolve("two.onnx")), "Mul node '/m/Mul' multiplies two computed "
                + "branches");
    }

    @Test
    void gatesImport() throws Exception {
        // MobileNetV3's squeeze-excitation (pool, 1x1 convs, hard sigmoid, Mul with its input first), SiLU as
        // Sigmoid + Mul, hard-swish at opset 13 as HardSigmoid + Mul
        OnnxGraphs g = new OnnxGraphs(2, 6, 6, 5);
        String f = g.op("Relu", "/f/Relu", g.conv("f", "input", 2, 8, 3, 1, 1, 1)).out();
        String pool = g.op("GlobalAveragePool", "/se/avgpool/GlobalAveragePool", f).out();
        String fc1 = g.op("Relu", "/se/relu", g.conv("se.fc1", pool, 8, 2, 1, 1, 0, 1)).out();
        String hs = g.op("HardSigmoid", "/se/scale_activation/HardSigmoid", g.conv("se.fc2", fc1, 2, 8, 1, 1, 0, 1))
                .f("alpha", 1f / 6).f("beta", 0.5f).out();
        String se = g.op("Mul", "/se/Mul", hs, f).out();
        String silu = g.op("Mul", "/silu/Mul", se, g.op("Sigmoid", "/silu/Sigmoid", se).out()).out();
        String c = g.conv("c", silu, 8, 4, 1, 1, 0, 1);
        String hsw = g.op("Mul", "/hs/Mul", c, g.op("HardSigmoid", "/hs/HardSigmoid", c).f("alpha", 1f / 6)
                .f("beta", 0.5f).out()).out();
        String flat = g.op("Flatten", "/flat", g.op("GlobalAveragePool", "/gap", hsw).out()).i("axis", 1).out();
        String y = g.op("Gemm", "/fc/Gemm", flat, g.weight("fc.weight", 0.3, 3, 4)).i("transB", 1).out();
        Path file = g.output(y, 3).write(dir.resolve("gates.onnx"));
        try (OnnxImport.Imported i = OnnxImport.read(file)) {
            assertEquals(3, count(i.network().spec(), GateSpec.class));
            OnnxCheck.Result r = OnnxCheck.compareWithSource(i, file, 2, 3);
            assertTrue(r.passes(), r.describe());
            // the excite convolution's channels are f's: one group of two producers
            assertEquals(List.of("f", "se.fc2"), ChannelGroups.of(i.network().spec(), "f").producers());
        }
    }

    private static void assertBad(Path f, String expected) {
        DataException e = assertThrows(DataException.class, () -> OnnxImport.read(f).close());
        assertTrue(e.getMessage().startsWith(f.toString() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void externalDataBesideTheFileIsRead() throws Exception {
        OnnxMl.ModelProto m = invertedResidual(2).model();
        OnnxMl.ModelProto.Builder ext = m.toBuilder();
        java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
        for (OnnxMl.TensorProto.Builder t : ext.getGraphBuilder().getInitializerBuilderList()) {
            if (t.getName().endsWith(".weight")) {
                byte[] raw = t.getRawData().toByteArray();
                t.clearRawData().setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL)
                        .addExternalData(kv("location", "weights.bin")).addExternalData(kv("offset",
                                Integer.toString(data.size()))).addExternalData(kv("length",
                                Integer.toString(raw.length)));
                data.write(raw);
            }
        }
        Files.write(dir.resolve("weights.bin"), data.toByteArray());
        Path f = OnnxGraphs.write(ext.build(), dir.resolve("ext.onnx"));
        Path inline = invertedResidual(2).write(dir.resolve("inline.onnx"));
        try (OnnxImport.Imported a = OnnxImport.read(f); OnnxImport.Imported b = OnnxImport.read(inline)) {
            for (String p : a.network().spec().parameters().keySet()) {
                assertArrayEquals(b.network().weight(p).toFloatArray(), a.network().weight(p).toFloatArray(), 0f, p);
            }
        }
    }

    private static OnnxMl.StringStringEntryProto kv(String k, String v) {
        return OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }
}

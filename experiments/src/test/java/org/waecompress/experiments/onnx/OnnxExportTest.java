package org.waecompress.experiments.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import ai.onnx.proto.OnnxMl;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.ActivationSpec;
import org.waecompress.spi.spec.BatchNormSpec;
import org.waecompress.spi.spec.ConcatSpec;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.ConvTransposeSpec;
import org.waecompress.spi.spec.DropoutSpec;
import org.waecompress.spi.spec.FlattenSpec;
import org.waecompress.spi.spec.GateSpec;
import org.waecompress.spi.spec.GlobalAvgPoolSpec;
import org.waecompress.spi.spec.HeightWidth;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.PoolSpec;
import org.waecompress.spi.spec.ResidualSpec;
import org.waecompress.spi.spec.SequentialSpec;

/**
 * Every built-in node type, exported and run in ONNX Runtime, gives the PyTorch engine's output
 * (within {@link OnnxCheck#TOLERANCE} of the largest value) on odd-sized inputs, with settings that
 * differ per axis where the type has them.
 */
class OnnxExportTest {

    @TempDir
    Path dir;

    static NetworkSpec net(String name, LayerSpec... layers) {
        return new NetworkSpec(name, new Shape(4, 13, 11), SequentialSpec.of("", layers));
    }

    static Stream<NetworkSpec> nodeTypes() {
        return Stream.of(
                net("conv", new ConvSpec("c", 4, 6, new HeightWidth(3, 5), new HeightWidth(2, 1), new HeightWidth(1, 2),
                        2, true)),
                net("conv-depthwise-nobias", new ConvSpec("c", 4, 4, HeightWidth.of(3), HeightWidth.of(1),
                        HeightWidth.of(1), 4, false)),
                net("convTranspose", new ConvTransposeSpec("t", 4, 3, new HeightWidth(4, 3), new HeightWidth(2, 3),
                        new HeightWidth(1, 0),
                        new HeightWidth(1, 2), true)),
                net("convTranspose-nobias", new ConvTransposeSpec("t", 4, 2, HeightWidth.of(2), HeightWidth.of(2),
                        HeightWidth.of(0), HeightWidth.of(0),
                        false)),
                net("batchNorm", BatchNormSpec.of("bn", 4), new BatchNormSpec("fixed", 4, false, 1e-3, 0.1)),
                net("batchNorm-1d", new FlattenSpec("f"), new LinearSpec("fc", 572, 7, true), BatchNormSpec.of("bn",
                        7)),
                net("activations", ActivationSpec.relu("r"), new ActivationSpec("s", "sigmoid"),
                        new ActivationSpec("t", "tanh")),
                net("activations-mobile", new ActivationSpec("r6", "relu6"), new ActivationSpec("hs", "hardswish"),
                        new ActivationSpec("hg", "hardsigmoid")),
                // squeeze-excitation (one factor per channel) and SiLU (x * sigmoid(x), one factor per element)
                net("gate-se-silu", new GateSpec("se", SequentialSpec.of("", new GlobalAvgPoolSpec("p", true),
                        ConvSpec.of("sq", 4, 2, 1, 1, 0, true),
                        ActivationSpec.relu("r"), ConvSpec.of("ex", 2, 4, 1, 1, 0, true),
                        new ActivationSpec("s", "sigmoid"))), new GateSpec("silu", new ActivationSpec("s",
                        "sigmoid"))),
                net("maxPool-ceil", new PoolSpec("p", "max", new HeightWidth(3, 2), new HeightWidth(2, 2),
                        new HeightWidth(1, 0), true)),
                net("maxPool-floor", PoolSpec.max("p", 2, 2, 0, false)),
                // 13 rows, kernel 2, stride 2, padding 1, ceil: PyTorch drops the 8th window, which would start
                // inside the bottom padding
                net("maxPool-ceil-last-window-in-padding", PoolSpec.max("p", 2, 2, 1, true)),
                net("avgPool-ceil-last-window-in-padding", new PoolSpec("p", "avg", HeightWidth.of(2),
                        HeightWidth.of(2), HeightWidth.of(1), true)),
                net("avgPool-ceil-padded", new PoolSpec("p", "avg", HeightWidth.of(3), HeightWidth.of(2),
                        HeightWidth.of(1), true)),
                net("avgPool-floor", new PoolSpec("p", "avg", new HeightWidth(2, 3), new HeightWidth(2, 1),
                        HeightWidth.of(0), false)),
                net("globalAvgPool-linear", new GlobalAvgPoolSpec("gap"), new LinearSpec("fc", 4, 3, true)),
                net("flatten-linear-nobias-dropout", new FlattenSpec("f"), new DropoutSpec("d", 0.5),
                        new LinearSpec("fc", 572, 9, false)),
                net("residual-projection", new ResidualSpec("r", SequentialSpec.of("",
                        ConvSpec.of("a", 4, 8, 3, 2, 1, false), BatchNormSpec.of("bn", 8)),
                        SequentialSpec.of("proj", ConvSpec.of("0", 4, 8, 1, 2, 0, false)), "relu")),
                net("residual-identity", new ResidualSpec("r", ConvSpec.of("a", 4, 4, 3, 1, 1, true), null, null)),
                net("concat-same-geometry", new ConcatSpec("split", List.of(ConvSpec.of("ca", 4, 3, 3, 2, 1, true),
                        ConvSpec.of("ch", 4, 2, 3, 2, 1, true)))),
                net("concat-mixed", new ConcatSpec("cat", List.of(ConvSpec.of("a", 4, 3, 1, 1, 0, true),
                        SequentialSpec.of("b", PoolSpec.max("p", 3, 1, 1, false), ActivationSpec.relu("r"))))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nodeTypes")
    void everyBuiltInNodeTypeGivesThePyTorchEnginesOutput(NetworkSpec spec) {
        try (Network net = OnnxTesting.randomized(spec, 1, 11)) {
            OnnxCheck.Result r = OnnxTesting.assertEquivalent(net, dir, 2);
            assertEquals(1, r.outputs());
        }
    }

    @Test
    void theFileNamesOperatorsAfterSpecPathsAndCarriesTheSpec() throws Exception {
        NetworkSpec spec = net("named", ConvSpec.of("stem", 4, 6, 3, 1, 1, true), BatchNormSpec.of("bn", 6),
                ActivationSpec.relu("relu"), new FlattenSpec("flat"), new LinearSpec("fc", 858, 3, true));
        try (Network n = OnnxTesting.randomized(spec, 3, 1)) {
            OnnxMl.ModelProto m = OnnxExport.model(n);
            assertEquals(OnnxExport.OPSET, m.getOpsetImport(0).getVersion());
            List<String> names = m.getGraph().getNodeList().stream().map(OnnxMl.NodeProto::getName).toList();
            assertEquals(List.of("stem/Conv", "bn/BatchNormalization", "relu/Relu", "flat/Flatten",
                    "fc/Gemm"), names);
            List<String> inits = m.getGraph().getInitializerList().stream().map(OnnxMl.TensorProto::getName).toList();
            assertTrue(inits.containsAll(List.of("stem.weight", "stem.bias", "bn.running_var", "fc.weight")),
                    inits.toString());
            assertEquals(OnnxExport.OUTPUT, m.getGraph().getOutput(0).getName());
            assertEquals("fc/Gemm", m.getGraph().getNodeList().stream().filter(x -> x.getOutputList()
                    .contains(OnnxExport.OUTPUT)).findFirst().orElseThrow().getName());
            assertEquals(spec, OnnxExport.spec(m));
        }
    }

    @Test
    void dropoutOnlyNetworkExportsAnIdentity() {
        try (Network n = OnnxTesting.randomized(net("dropout-only", new DropoutSpec("d", 0.3)), 1, 1)) {
            OnnxMl.ModelProto m = OnnxExport.model(n);
            assertEquals("Identity", m.getGraph().getNode(0).getOpType());
            OnnxTesting.assertEquivalent(n, dir, 1);
        }
    }

    @Test
    void aWrongLoweringIsCaught() {
        // the comparison itself must fail when outputs differ: feed it a sign flip
        OnnxCheck.Result r = OnnxCheck.compare(List.of(new float[] {1f, -2f}), List.of(new float[] {1f, 2f}), 1,
                Path.of("x.onnx"), OnnxCheck.TOLERANCE);
        assertFalse(r.passes(), r.describe());
        assertEquals(4.0, r.maxAbsDiff(), 0.0);
    }
}

package org.waecompress.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.commons.configuration2.MapConfiguration;
import org.example.halfwidth.ChannelScale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.waecompress.backbones.Backbones;
import org.waecompress.baselines.taylor.ChannelGate;
import org.waecompress.experiments.onnx.OnnxCheck;
import org.waecompress.experiments.onnx.OnnxExport;
import org.waecompress.experiments.onnx.OnnxTesting;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.plugin.StrategyRegistry;
import org.waecompress.spi.spec.ActivationSpec;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.NodeTypes;
import org.waecompress.spi.spec.OnnxUnsupportedException;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecTraversal;
import org.waecompress.spi.train.NetworkTrainer;
import org.waecompress.spi.train.TrainSettings;
import org.waecompress.tests.opaque.OpaqueNode;
import org.waecompress.wae.WaeArchitecture;
import org.waecompress.wae.WaeArchitectureOptions;

/**
 * ONNX Runtime's output of every exported network equals the PyTorch engine's within {@link
 * OnnxCheck#TOLERANCE} of the largest output: every node type the strategies add, every installed
 * strategy's architecture on two small backbones, and one full-size backbone.
 */
class OnnxEquivalenceTest {

    @TempDir
    Path dir;

    static final Shape SMALL = new Shape(1, 32, 32);

    static NetworkSpec vggSmall() {
        return Backbones.create("vgg16-bn-small", SMALL, 10, 0.25);
    }

    static Stream<Arguments> pluginNodes() {
        NetworkSpec vgg = vggSmall();
        NetworkSpec resnet = Backbones.create("resnet20", new Shape(3, 16, 16), 6, 0.5);
        WaeArchitectureOptions paper = WaeArchitectureOptions.paper();
        WaeArchitectureOptions noNorm = new WaeArchitectureOptions(8, false, 0.25, true, 0, 0, 8);
        WaeArchitectureOptions ilOnly = new WaeArchitectureOptions(16, true, 0.25, false, -1, -1, 16);
        NetworkSpec gated = new NetworkSpec("gated", new Shape(3, 9, 7), SequentialSpec.of("",
                ConvSpec.of("conv", 3, 5, 3, 1, 1, true), new ChannelGate("gate", 5), ActivationSpec.relu("relu")));
        // the plugin guide's node type (examples/halfwidth-plugin), as a third party's jar brings it
        NetworkSpec scaled = new NetworkSpec("scaled", new Shape(3, 9, 7), SequentialSpec.of("",
                ConvSpec.of("conv", 3, 5, 3, 1, 1, true), new ChannelScale("scale", 5), ActivationSpec.relu("relu")));
        return Stream.of(
                Arguments.of("waeClassifier with decoder (dropped at export), split norm, fc heads",
                        WaeArchitecture.classifier(vgg, paper, WaeArchitecture.SplitKind.LEARNED, true)),
                Arguments.of("waeClassifier on resnet20, no split norm, backbone heads",
                        WaeArchitecture.classifier(resnet, noNorm, WaeArchitecture.SplitKind.LEARNED, false)),
                Arguments.of("waeClassifier, I_L only",
                        WaeArchitecture.classifier(vgg, ilOnly, WaeArchitecture.SplitKind.LEARNED, false)),
                Arguments.of("dwt97 split (wavelet baseline)",
                        WaeArchitecture.classifier(resnet, paper, WaeArchitecture.SplitKind.WAVELET, false)),
                Arguments.of("waeAutoencoder and waeDecoder (three outputs)",
                        WaeArchitecture.autoencoder(new Shape(3, 20, 14), paper)),
                Arguments.of("channelGate", gated),
                Arguments.of("channelScale (the plugin guide's node type)", scaled));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pluginNodes")
    void everyNodeTypeTheStrategiesAddExportsExactly(String what, NetworkSpec spec) {
        try (Network net = OnnxTesting.randomized(spec, 10, 3)) {
            OnnxCheck.Result r = OnnxTesting.assertEquivalent(net, dir, 2);
            assertEquals(spec.root().type().equals("waeAutoencoder") ? 3 : 1, r.outputs(), what);
        }
    }

    static Stream<Arguments> strategiesOnBackbones() {
        StrategyRegistry reg = StrategyRegistry.discover();
        List<Arguments> out = new ArrayList<>();
        for (String id : reg.ids()) {
            if (id.equals("opaque")) {
                continue;  // the test plugin that cannot be exported, on purpose
            }
            out.add(Arguments.of(id, "vgg16-bn-small"));
            out.add(Arguments.of(id, "resnet20"));
        }
        return out.stream();
    }

    static NetworkSpec backbone(String name) {
        return name.equals("resnet20") ? Backbones.create("resnet20", new Shape(1, 32, 32), 10, 0.5) : vggSmall();
    }

    static NetworkSpec architecture(String id, NetworkSpec backbone) {
        CompressionStrategy s = StrategyRegistry.discover().get(id);
        CompressionContext ctx = new CompressionContext(id, new MapConfiguration(new HashMap<String, Object>()), 42,
                null, new NetworkTrainer(null), TrainSettings.builder().build(), null, null);
        return s.architecture(backbone, ctx);
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("strategiesOnBackbones")
    void everyStrategysNetworkExportsExactly(String id, String backboneName) {
        NetworkSpec spec = architecture(id, backbone(backboneName));
        try (Network net = OnnxTesting.randomized(spec, 10, 5)) {
            OnnxTesting.assertEquivalent(net, dir, 1);
        }
    }

    @Test
    void theTestsAboveCoverEveryRegisteredNodeType() {
        Set<String> seen = new TreeSet<>();
        List<NetworkSpec> specs = new ArrayList<>();
        pluginNodes().forEach(a -> specs.add((NetworkSpec) a.get()[1]));
        strategiesOnBackbones().forEach(a -> specs.add(architecture((String) a.get()[0],
                backbone((String) a.get()[1]))));
        for (NetworkSpec s : specs) {
            SpecTraversal.nodes(s.root(), s.inputShape()).forEach(v -> seen.add(v.node().type()));
        }
        seen.addAll(Set.of("convTranspose", "dropout", "flatten", "pool", "gate"));  // OnnxExportTest covers the rest
        Set<String> all = new TreeSet<>(NodeTypes.all().keySet());
        all.removeAll(seen);
        all.removeAll(Set.of("testPluginScale", "testOpaque"));
        assertTrue(all.isEmpty(), "node types without an export test: " + all);
    }

    /** A third party's node type that lowers itself: {@code y = x * factor + shift}. */
    record AffineNode(String name, double factor, double shift) implements LayerSpec {
        @Override
        public String type() {
            return "testPluginScale";
        }

        @Override
        public Shape route(Shape in, org.waecompress.spi.spec.Router r) {
            return in;
        }

        @Override
        public ai.djl.nn.Block build(Shape in, org.waecompress.spi.spec.BuildContext ctx) {
            return new org.waecompress.spi.nn.FunctionBlock("affine", x -> x.mul(factor).add(shift), ctx.outShape());
        }

        @Override
        public String toOnnx(String x, Shape in, org.waecompress.spi.spec.OnnxContext ctx) {
            String scaled = ctx.op("Mul").in(x, ctx.floats("factor", new float[] {(float) factor})).out();
            return ctx.op("Add").in(scaled, ctx.floats("shift", new float[] {(float) shift})).out();
        }
    }

    @Test
    void aPluginNodeTypeExportsThroughItsOwnLowering() {
        NetworkSpec spec = new NetworkSpec("plugin", new Shape(2, 5, 5), SequentialSpec.of("",
                ConvSpec.of("conv", 2, 3, 3, 1, 1, true), new AffineNode("affine", -1.5, 0.25)));
        try (Network net = OnnxTesting.randomized(spec, 1, 1)) {
            OnnxTesting.assertEquivalent(net, dir, 1);
        }
    }

    @Test
    void aNodeTypeWithoutALoweringIsNamedInOneLine() {
        NetworkSpec spec = new NetworkSpec("opaque", new Shape(2, 5, 5), SequentialSpec.of("",
                ConvSpec.of("conv", 2, 3, 3, 1, 1, true), new OpaqueNode("mystery")));
        try (Network net = OnnxTesting.randomized(spec, 1, 1)) {
            OnnxUnsupportedException e = assertThrows(OnnxUnsupportedException.class,
                    () -> OnnxExport.write(net, dir.resolve("opaque.onnx")));
            assertEquals("testOpaque", e.nodeType());
            assertTrue(e.getMessage().startsWith("node type 'testOpaque' (" + OpaqueNode.class.getName() + ", at "
                    + "mystery) has no ONNX lowering"), e.getMessage());
            assertTrue(e.getMessage().contains("at mystery"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
            assertTrue(!dir.resolve("opaque.onnx").toFile().exists(), "no partial file");
        }
    }

    @Test
    void fullSizeResNet50() {
        try (Network net = OnnxTesting.randomized(Backbones.create("resnet50"), 1000, 9)) {
            OnnxTesting.assertEquivalent(net, dir, 1);
        }
    }
}

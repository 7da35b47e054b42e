package org.waecompress.wae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.backbones.Backbones;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.ActivationSpec;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.FlattenSpec;
import org.waecompress.spi.spec.GlobalAvgPoolSpec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecJson;
import org.waecompress.spi.spec.SpecTraversal;

class WaeArchitectureTest {

    @TempDir
    Path dir;

    static Map<String, Shape> outputs(NetworkSpec s) {
        Map<String, Shape> m = new HashMap<>();
        for (SpecTraversal.Visited v : s.nodes()) {
            m.put(v.path(), v.out());
        }
        return m;
    }

    @Test
    void exactShapesAt224() {
        NetworkSpec s = WaeArchitecture.classifier(Backbones.create("vgg16-ceil"), WaeArchitectureOptions.paper(),
                WaeArchitecture.SplitKind.LEARNED, true);
        Map<String, Shape> o = outputs(s);
        assertEquals(new Shape(16, 224, 224), o.get("encoder"));
        assertEquals(new Shape(3, 112, 112), o.get("split.ca"));
        assertEquals(new Shape(3, 112, 112), o.get("split.ch"));
        assertEquals(new Shape(512, 4, 4), o.get("low"));
        assertEquals(new Shape(128, 4, 4), o.get("high"));
        assertEquals(new Shape(1024), o.get("lowHead.fc1"));
        assertEquals(new Shape(2048), o.get("fusionHead.fc1"));
        assertEquals(new Shape(3, 224, 224), o.get("decoder"));
        assertEquals(new Shape(1000), s.outputShape());
        assertEquals(new Shape(2048, 640 * 16), s.parameters().get("fusionHead.fc1.weight").shape());
        assertEquals(new Shape(16, 3, 3, 3), s.parameters().get("high.features.0.weight").shape());
    }

    @Test
    void exactShapesAt32() {
        NetworkSpec s = WaeArchitecture.classifier(Backbones.create("vgg16-bn-small", new Shape(1, 32, 32), 10, 0.25),
                WaeArchitectureOptions.paper(), WaeArchitecture.SplitKind.LEARNED, true);
        Map<String, Shape> o = outputs(s);
        assertEquals(new Shape(16, 32, 32), o.get("encoder"));
        assertEquals(new Shape(2, 16, 16), o.get("split"));
        assertEquals(new Shape(128, 1, 1), o.get("low"));
        assertEquals(new Shape(32, 1, 1), o.get("high"));
        assertEquals(new Shape(1, 32, 32), o.get("decoder"));
        assertEquals(new Shape(10), s.outputShape());
        // a GAP backbone keeps its own head; the fusion head reads both feature maps
        assertEquals(new Shape(10, 160), s.parameters().get("fusionHead.classifier.weight").shape());
    }

    @Test
    void costMatchesThePaper() {
        NetworkSpec s = WaeArchitecture.classifier(Backbones.create("vgg16-ceil"), WaeArchitectureOptions.paper(),
                WaeArchitecture.SplitKind.LEARNED, false);
        CostReport r = CostReport.of(s);
        long encoder = r.macsOf("encoder") + r.macsOf("split");
        assertEquals(4.38e9, r.totalMacs(), 0.01 * 4.38e9, "with encoder: " + r.totalMacs());
        assertEquals(4.12e9, r.totalMacs() - encoder, 0.01 * 4.12e9, "without encoder: " + (r.totalMacs() - encoder));
        assertEquals(0.264e9, encoder, 0.005e9);
        assertEquals(3.837e9, r.macsOf("low"), 0.005e9);
        assertEquals(0.244e9, r.macsOf("high"), 0.005e9);
        // the decoder is training-only: the test-time network has none
        assertEquals(0, r.macsOf("decoder"));
    }

    @Test
    void resnet50WaeUsesTheLastStageAsFeatures() {
        NetworkSpec s = WaeArchitecture.classifier(Backbones.create("resnet50"), WaeArchitectureOptions.paper(),
                WaeArchitecture.SplitKind.LEARNED, false);
        Map<String, Shape> o = outputs(s);
        assertEquals(new Shape(2048, 4, 4), o.get("low"));
        assertEquals(new Shape(512, 4, 4), o.get("high"));
        assertEquals(new Shape(1000, 2560), s.parameters().get("fusionHead.fc.weight").shape());
        assertTrue(s.parameters().containsKey("low.layer4.2.conv3.weight"));
    }

    @Test
    void waveletVariantFeedsThreeDetailBands() {
        NetworkSpec s = WaeArchitecture.classifier(Backbones.create("vgg16-bn-small", new Shape(3, 32, 32), 10, 0.25),
                WaeArchitectureOptions.paper(), WaeArchitecture.SplitKind.WAVELET, false);
        assertEquals(new Shape(12, 16, 16), outputs(s).get("split"));
        assertEquals(new Shape(4, 9, 3, 3), s.parameters().get("high.features.0.weight").shape());
    }

    @Test
    void ilOnlyAblationHasNoHighBranch() {
        WaeArchitectureOptions o = new WaeArchitectureOptions(16, true, 0.25, false, -1, -1, 16);
        NetworkSpec s = WaeArchitecture.classifier(Backbones.create("resnet20"), o, WaeArchitecture.SplitKind.LEARNED,
                false);
        assertTrue(s.parameters().keySet().stream().noneMatch(k -> k.startsWith("high.") || k.startsWith("fusion")));
    }

    @Test
    void aClassifierWithoutWeightsTakesTheConvolutionThatMakesTheClassMaps() {
        // SqueezeNet's head: a 1x1 convolution to one map per class, ReLU, global pooling
        NetworkSpec squeeze = new NetworkSpec("squeeze", new Shape(3, 32, 32), SequentialSpec.of("",
                ConvSpec.of("features", 3, 16, 3, 2, 1, true), ActivationSpec.relu("relu"),
                ConvSpec.of("classes", 16, 5, 1, 1, 0, true), ActivationSpec.relu("relu2"),
                new GlobalAvgPoolSpec("pool")));
        BackboneSplit split = BackboneSplit.of(squeeze, "backbone");
        assertEquals(2, split.features().size());
        assertEquals(new Shape(16, 16, 16), split.featureShape());
        NetworkSpec s = WaeArchitecture.classifier(squeeze, WaeArchitectureOptions.paper(),
                WaeArchitecture.SplitKind.LEARNED, false);
        assertEquals(new Shape(5), s.outputShape());
        // the fusion head's class convolution reads both branches' features (16 + 4 channels)
        assertEquals(20, ((ConvSpec) s.node("fusionHead.classes")).in());
    }

    @Test
    void aClassifierThatPoolsFirstIsKeptNotReplacedByThePapersFullyConnectedHead() {
        // MobileNetV3's head: global pooling, then two linear layers
        NetworkSpec mobile = new NetworkSpec("mobile", new Shape(3, 32, 32), SequentialSpec.of("",
                ConvSpec.of("features", 3, 16, 3, 2, 1, true), ActivationSpec.relu("relu"),
                new GlobalAvgPoolSpec("pool"), new LinearSpec("fc1", 16, 32, true), ActivationSpec.relu("r2"),
                new LinearSpec("fc2", 32, 5, true)));
        NetworkSpec s = WaeArchitecture.classifier(mobile, WaeArchitectureOptions.paper(),
                WaeArchitecture.SplitKind.LEARNED, false);
        assertEquals(16, ((LinearSpec) s.node("lowHead.fc1")).in());
        assertEquals(20, ((LinearSpec) s.node("fusionHead.fc1")).in());
    }

    @Test
    void backboneWithoutSplitIsRejected() {
        NetworkSpec flat = new NetworkSpec("flat-mlp", new Shape(1, 4, 4), SequentialSpec.of("",
                new FlattenSpec("f"), new LinearSpec("fc", 16, 3, true)));
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> WaeArchitecture.classifier(flat, WaeArchitectureOptions.paper(),
                        WaeArchitecture.SplitKind.LEARNED, false));
        assertTrue(e.getMessage().startsWith("backbone = flat-mlp: has no feature/classifier split"), e.getMessage());
        NetworkSpec conv = new NetworkSpec("conv-only", new Shape(1, 4, 4), ConvSpec.of("c", 1, 2, 3, 1, 1, true));
        assertThrows(InvalidSettingException.class,
                () -> WaeArchitecture.classifier(conv, WaeArchitectureOptions.paper(),
                        WaeArchitecture.SplitKind.LEARNED, false));
    }

    @Test
    void blockOutputsAndSaveReload() {
        NetworkSpec s = WaeArchitecture.classifier(Backbones.create("vgg16-bn-small", new Shape(1, 32, 32), 10, 0.125),
                WaeArchitectureOptions.paper(), WaeArchitecture.SplitKind.LEARNED, true);
        assertEquals(s, SpecJson.fromJson(SpecJson.toJson(s), "wae.json"));
        try (Network net = Network.random(s, 10, 3); NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(2, 1, 32, 32));
            float[] before;
            try (BuiltNetwork b = net.build(m)) {
                NDList train = b.forward(new NDList(x), true);
                assertEquals(4, train.size());
                assertEquals(new Shape(2, 10), train.get(0).getShape());
                assertEquals(new Shape(2, 1, 16, 16), train.get(2).getShape());
                assertEquals(new Shape(2, 1, 32, 32), train.get(3).getShape());
                assertEquals(1, b.forward(new NDList(x), false).size());
            }
            // a training-mode pass moves batch-norm statistics, so compare against a fresh build
            try (BuiltNetwork b = net.build(m)) {
                before = b.predict(x).toFloatArray();
            }
            try (Network back = Network.load(net.save(dir, "wae")); BuiltNetwork b = back.build(m)) {
                float[] after = b.predict(x).toFloatArray();
                for (int i = 0; i < before.length; i++) {
                    assertEquals(before[i], after[i], 0f);
                }
            }
        }
    }
}

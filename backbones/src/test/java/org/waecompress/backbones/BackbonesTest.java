package org.waecompress.backbones;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.ParamDef;
import org.waecompress.spi.spec.SpecJson;

class BackbonesTest {

    @Test
    void vgg16MatchesTorchvisionCounts() {
        CostReport r = CostReport.of(Backbones.create("vgg16"));
        assertEquals(138_357_544L, r.totalParams());
        assertEquals(15_470_264_320L, r.totalMacs());
        assertEquals("15.47 G", CostReport.human(r.totalMacs()));
        assertEquals(138_365_992L, CostReport.of(Backbones.create("vgg16-bn")).totalParams());
    }

    @Test
    void resnet50MatchesTorchvisionCounts() {
        CostReport r = CostReport.of(Backbones.create("resnet50"));
        assertEquals(25_557_032L, r.totalParams());
        assertEquals(4_089_184_256L, r.totalMacs());
        assertEquals("4.09 G", CostReport.human(r.totalMacs()));
    }

    @Test
    void vgg16At112FollowsPoolRounding() {
        NetworkSpec floor = Vgg.vgg16(new Shape(3, 112, 112), 1000, false, false);
        NetworkSpec ceil = Vgg.vgg16(new Shape(3, 112, 112), 1000, false, true);
        assertEquals(new Shape(4096, 512 * 3 * 3), floor.parameters().get("classifier.0.weight").shape());
        assertEquals(new Shape(4096, 512 * 4 * 4), ceil.parameters().get("classifier.0.weight").shape());
        // the WAE paper's "VGG16, 112x112 input": 3.89 G
        assertEquals("3.89 G", CostReport.human(CostReport.of(ceil).totalMacs()));
    }

    @Test
    void torchvisionParameterNames() {
        Map<String, ParamDef> vgg = Backbones.create("vgg16").parameters();
        assertTrue(vgg.containsKey("features.0.weight"));
        assertTrue(vgg.containsKey("features.28.bias"));
        assertTrue(vgg.containsKey("classifier.6.weight"));
        assertEquals(32, vgg.size());
        Map<String, ParamDef> bn = Backbones.create("vgg16-bn").parameters();
        assertTrue(bn.containsKey("features.1.running_var"));
        assertTrue(bn.containsKey("features.41.bias"));
        Map<String, ParamDef> rn = Backbones.create("resnet50").parameters();
        assertTrue(rn.containsKey("conv1.weight"));
        assertTrue(rn.containsKey("layer1.0.downsample.1.running_mean"));
        assertTrue(rn.containsKey("layer4.2.bn3.weight"));
        assertTrue(rn.containsKey("fc.bias"));
        assertEquals(new Shape(1024, 512, 1, 1), rn.get("layer3.0.downsample.0.weight").shape());
    }

    @Test
    void smallBackbonesRunAtFullAndHalfResolution() {
        for (String name : new String[] {"vgg16-bn-small", "resnet20", "resnet56"}) {
            for (int size : new int[] {32, 16}) {
                for (int channels : new int[] {1, 3}) {
                    NetworkSpec spec = Backbones.create(name, new Shape(channels, size, size), 10, 0.25);
                    assertEquals(new Shape(10), spec.outputShape(), name);
                    try (Network net = Network.random(spec, 10, 1); NDManager m = NDManager.newBaseManager();
                            BuiltNetwork b = net.build(m)) {
                        NDArray y = b.predict(m.randomNormal(new Shape(2, channels, size, size)));
                        assertEquals(new Shape(2, 10), y.getShape(), name + " at " + size);
                    }
                }
            }
        }
    }

    @Test
    void imagenetBackbonesBuildWithSpecShapes() {
        for (String name : new String[] {"vgg16", "resnet50"}) {
            NetworkSpec spec = Backbones.create(name, new Shape(3, 112, 112), 10, 1.0);
            try (Network net = Network.random(spec, 10, 1); NDManager m = NDManager.newBaseManager();
                    BuiltNetwork b = net.build(m)) {
                NDArray y = b.predict(m.randomNormal(new Shape(1, 3, 112, 112)));
                assertEquals(new Shape(1).addAll(spec.outputShape()), y.getShape(), name);
            }
        }
    }

    @Test
    void specsRoundTripThroughJson() {
        for (String name : Backbones.all().keySet()) {
            NetworkSpec spec = Backbones.create(name);
            assertEquals(spec, SpecJson.fromJson(SpecJson.toJson(spec), name));
        }
    }

    @Test
    void unknownBackboneListsKnownOnes() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> Backbones.create("vgg17"));
        assertTrue(e.getMessage().startsWith("backbone = vgg17: unknown backbone; known: vgg16"), e.getMessage());
    }
}

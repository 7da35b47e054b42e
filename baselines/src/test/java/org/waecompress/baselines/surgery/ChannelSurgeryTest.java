package org.waecompress.baselines.surgery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.backbones.Backbones;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.ActivationSpec;
import org.waecompress.spi.spec.BatchNormSpec;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.FlattenSpec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.PoolSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecException;
import org.waecompress.spi.surgery.ChannelSurgery;

class ChannelSurgeryTest {

    @TempDir
    Path dir;

    static NetworkSpec chain() {
        return new NetworkSpec("chain", new Shape(3, 8, 8), SequentialSpec.of("",
                SequentialSpec.of("features",
                        ConvSpec.of("0", 3, 8, 3, 1, 1, true), BatchNormSpec.of("1", 8), ActivationSpec.relu("2"),
                        PoolSpec.max("3", 2, 2, 0, false),
                        ConvSpec.of("4", 8, 6, 3, 1, 1, true), ActivationSpec.relu("5")),
                new FlattenSpec("flatten"),
                new LinearSpec("fc", 6 * 16, 4, true)));
    }

    /** Zeroes channels of a conv so that they carry exactly 0 downstream. */
    static Network zeroed(Network net, String conv, String bn, int[] dead) {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> w = new LinkedHashMap<>();
            net.weights().forEach((k, v) -> w.put(k, v.duplicate()));
            w.values().forEach(a -> a.attach(m));
            for (int c : dead) {
                w.get(conv + ".weight").set(new NDIndex(c), 0f);
                w.get(conv + ".bias").set(new NDIndex(c), 0f);
                if (bn != null) {
                    w.get(bn + ".bias").set(new NDIndex(c), 0f);
                    w.get(bn + ".running_mean").set(new NDIndex(c), 0f);
                }
            }
            return Network.of(net.spec(), net.classes(), w, "zeroed");
        }
    }

    static float maxDiff(Network a, Network b) {
        try (NDManager m = NDManager.newBaseManager(); BuiltNetwork x = a.build(m); BuiltNetwork y = b.build(m)) {
            NDArray in = m.randomNormal(new Shape(4).addAll(a.inputShape()));
            return x.predict(in).sub(y.predict(in)).abs().max().getFloat();
        }
    }

    @Test
    void pruningZeroFiltersLeavesOutputsUnchanged() {
        try (Network net = Network.random(chain(), 4, 1);
                Network z = zeroed(net, "features.0", "features.1", new int[] {1, 5, 6});
                Network p = ChannelSurgery.prune(z, "features.0", new int[] {0, 2, 3, 4, 7})) {
            assertEquals(5, ((ConvSpec) p.spec().node("features.0")).out());
            assertEquals(new Shape(6, 5, 3, 3), p.weight("features.4.weight").getShape());
            float d = maxDiff(z, p);
            assertEquals(0f, d, 0f, "max |diff| " + d);
        }
        // through a flatten into a linear layer: each channel owns H*W inputs
        try (Network net = Network.random(chain(), 4, 2);
                Network z = zeroed(net, "features.4", null, new int[] {0, 3});
                Network p = ChannelSurgery.prune(z, "features.4", new int[] {1, 2, 4, 5})) {
            assertEquals(new Shape(4, 4 * 16), p.weight("fc.weight").getShape());
            float d = maxDiff(z, p);
            assertEquals(0f, d, 0f, "max |diff| " + d);
        }
    }

    @Test
    void costReportDropsByTheRemovedChannels() {
        try (Network net = Network.random(chain(), 4, 1);
                Network p = ChannelSurgery.prune(net, "features.0", new int[] {0, 1, 2, 3})) {
            CostReport a = CostReport.of(net.spec());
            CostReport b = CostReport.of(p.spec());
            // conv0 loses 4 of 8 filters (4 x 27 x 64 MACs), conv4 loses 4 of 8 inputs (6 x 4 x 9 x 16)
            assertEquals(4L * 27 * 64 + 6L * 4 * 9 * 16, a.totalMacs() - b.totalMacs());
            assertEquals(4L * 27 + 4 + 2 * 4 + 6L * 4 * 9, a.totalParams() - b.totalParams());
        }
    }

    @Test
    void residualChannelsAreCoupled() {
        NetworkSpec r20 = Backbones.create("resnet20", new Shape(1, 16, 16), 10, 0.25);
        List<String> prunable = ChannelSurgery.prunable(r20);
        assertEquals(9, prunable.size(), prunable.toString());
        assertTrue(prunable.stream().allMatch(p -> p.endsWith(".conv1")), prunable.toString());
        SpecException e = assertThrows(SpecException.class, () -> ChannelSurgery.readers(r20, "layer2.1.conv2"));
        assertTrue(e.getMessage().contains("flow into residual layer2.1"), e.getMessage());
        e = assertThrows(SpecException.class, () -> ChannelSurgery.readers(r20, "conv1"));
        assertTrue(e.getMessage().contains("couples"), e.getMessage());
        e = assertThrows(SpecException.class, () -> ChannelSurgery.readers(r20, "layer9.conv"));
        assertTrue(e.getMessage().startsWith("layer9.conv: no convolution"), e.getMessage());
        assertEquals(13, ChannelSurgery.prunable(Backbones.create("vgg16-bn-small", new Shape(1, 32, 32), 10,
                0.25)).size());
    }

    @Test
    void prunedNetworkReloadsWithItsShapes() {
        try (Network net = Network.random(Backbones.create("resnet20", new Shape(1, 16, 16), 10, 0.25), 10, 1);
                Network p = ChannelSurgery.prune(net, "layer1.0.conv1", new int[] {0, 2});
                Network back = Network.load(p.save(dir, "pruned"))) {
            assertEquals(new Shape(2, 4, 3, 3), back.weight("layer1.0.conv1.weight").getShape());
            assertEquals(new Shape(4, 2, 3, 3), back.weight("layer1.0.conv2.weight").getShape());
            assertEquals(0f, maxDiff(p, back), 0f);
        }
    }
}

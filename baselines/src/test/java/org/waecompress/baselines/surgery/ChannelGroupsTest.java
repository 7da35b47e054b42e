package org.waecompress.baselines.surgery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.backbones.Backbones;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.ActivationSpec;
import org.waecompress.spi.spec.BatchNormSpec;
import org.waecompress.spi.spec.ConcatSpec;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.GateSpec;
import org.waecompress.spi.spec.HeightWidth;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.PoolSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecException;
import org.waecompress.spi.surgery.ChannelGroups;
import org.waecompress.spi.surgery.ChannelSurgery;

class ChannelGroupsTest {

    @TempDir
    Path dir;

    static NetworkSpec r20() {
        return Backbones.create("resnet20", new Shape(1, 16, 16), 10, 0.5);
    }

    static List<String> consumers(ChannelGroups.Group g) {
        return g.consumers().stream().map(ChannelGroups.Consumer::path).toList();
    }

    @Test
    void residualStreamsFormOneGroupPerStage() {
        NetworkSpec spec = r20();
        List<ChannelGroups.Group> all = ChannelGroups.all(spec);
        assertEquals(12, all.size(), all.toString());
        assertEquals(9, all.stream().filter(ChannelGroups.Group::simple).count());

        ChannelGroups.Group s1 = ChannelGroups.of(spec, "layer1.1.conv2");
        assertEquals("conv1", s1.name());
        assertEquals(8, s1.channels());
        assertEquals(List.of("conv1", "layer1.0.conv2", "layer1.1.conv2", "layer1.2.conv2"), s1.producers());
        assertEquals(List.of("bn1", "layer1.0.bn2", "layer1.1.bn2", "layer1.2.bn2"), s1.passThrough().stream()
                .sorted().toList());
        assertEquals(List.of("layer1.0.conv1", "layer1.1.conv1", "layer1.2.conv1", "layer2.0.conv1",
                "layer2.0.downsample.0"), consumers(s1).stream().sorted().toList());
        assertEquals(List.of("layer1.0", "layer1.1", "layer1.2"), s1.couplings().stream().sorted().toList());

        ChannelGroups.Group s2 = ChannelGroups.of(spec, "layer2.0.downsample.0");
        assertEquals(List.of("layer2.0.conv2", "layer2.0.downsample.0", "layer2.1.conv2", "layer2.2.conv2"),
                s2.producers());
        assertTrue(s2.passThrough().contains("layer2.0.downsample.1"), s2.passThrough().toString());

        ChannelGroups.Group s3 = ChannelGroups.of(spec, "layer3.2.conv2");
        ChannelGroups.Consumer fc = s3.consumers().stream().filter(c -> c.path().equals("fc")).findFirst()
                .orElseThrow(() -> new AssertionError(consumers(s3).toString()));
        assertEquals(1, fc.perChannel());

        ChannelGroups.Group inner = ChannelGroups.of(spec, "layer3.1.conv1");
        assertTrue(inner.simple());
        assertEquals(List.of("layer3.1.conv2"), consumers(inner));
    }

    @Test
    void concatenatedChannelsAreFollowedAtTheirOffsets() {
        NetworkSpec spec = new NetworkSpec("cat", new Shape(2, 8, 8), SequentialSpec.of("",
                ConvSpec.of("a", 2, 4, 3, 1, 1, false),
                new ConcatSpec("cat", List.of(ConvSpec.of("b", 4, 3, 1, 1, 0, false),
                        ConvSpec.of("c", 4, 3, 1, 1, 0, false))),
                ConvSpec.of("d", 6, 5, 1, 1, 0, true)));
        assertEquals(List.of("a", "cat.b", "cat.c"), ChannelGroups.all(spec).stream().map(ChannelGroups.Group::name)
                .toList());
        ChannelGroups.Group c = ChannelGroups.of(spec, "cat.c");
        assertEquals(3, c.consumers().get(0).offset());
        // ThiNet's one-layer rule needs a reader that reads the group's channels alone
        assertFalse(ChannelGroups.of(spec, "cat.b").simple());
        assertFalse(c.simple());
        SpecException e = assertThrows(SpecException.class, () -> ChannelGroups.of(spec, "d"));
        assertTrue(e.getMessage().contains("network's output"), e.getMessage());
        try (Network net = Network.random(spec, 5, 3)) {
            for (String member : List.of("cat.b", "cat.c")) {
                assertZeroedPruneExact(net, ChannelGroups.of(spec, member), new int[] {1});
            }
        }
    }

    @Test
    void depthwiseConvolutionsAndIdentityBranchesCarryTheirInputsChannels() {
        // a MobileNet block (expand, depthwise, batch-norm, project) then a DenseNet block (input kept beside
        // a new conv's maps)
        NetworkSpec spec = new NetworkSpec("dw", new Shape(2, 8, 8), SequentialSpec.of("",
                ConvSpec.of("expand", 2, 8, 1, 1, 0, false),
                new ConvSpec("dw", 8, 8, HeightWidth.of(3), HeightWidth.of(1), HeightWidth.of(1), 8, false),
                BatchNormSpec.of("bn", 8),
                ConvSpec.of("project", 8, 6, 1, 1, 0, false),
                new ConcatSpec("dense", List.of(SequentialSpec.of(""), ConvSpec.of("grow", 6, 4, 3, 1, 1, false))),
                BatchNormSpec.of("bn2", 10),
                ConvSpec.of("head", 10, 3, 1, 1, 0, true)));
        ChannelGroups.Group expand = ChannelGroups.of(spec, "expand");
        assertEquals(List.of("dw", "bn"), expand.passThrough());
        assertEquals(List.of("project"), consumers(expand));
        assertTrue(expand.simple());
        ChannelGroups.Group project = ChannelGroups.of(spec, "project");
        assertEquals(List.of("dense.grow", "head"), consumers(project));
        ChannelGroups.Group grow = ChannelGroups.of(spec, "dense.grow");
        assertEquals(6, grow.offsetOf("bn2"));
        assertEquals(6, grow.consumers().get(0).offset());
        try (Network net = Network.random(spec, 3, 4)) {
            assertZeroedPruneExact(net, expand, new int[] {0, 5});
            assertZeroedPruneExact(net, project, new int[] {2});
            assertZeroedPruneExact(net, grow, new int[] {1, 3});
        }
    }

    @Test
    void aSqueezeExcitationGateCouplesItsExciteConvolutionWithItsInput() {
        NetworkSpec spec = new NetworkSpec("se", new Shape(2, 8, 8), SequentialSpec.of("",
                ConvSpec.of("a", 2, 8, 3, 1, 1, false),
                new GateSpec("se", SequentialSpec.of("", new PoolSpec("pool", "avg", HeightWidth.of(8), null, null,
                        false), ConvSpec.of("squeeze", 8, 2, 1, 1, 0, false), ActivationSpec.relu("relu"),
                        ConvSpec.of("excite", 2, 8, 1, 1, 0, false), new ActivationSpec("gate", "hardsigmoid"))),
                ConvSpec.of("d", 8, 3, 1, 1, 0, true)));
        ChannelGroups.Group a = ChannelGroups.of(spec, "a");
        assertEquals(List.of("a", "se.excite"), a.producers());
        assertEquals(List.of("se.squeeze", "d"), consumers(a));
        assertFalse(a.simple());
        try (Network net = Network.random(spec, 3, 6)) {
            assertZeroedPruneExact(net, a, new int[] {2, 5});
            assertZeroedPruneExact(net, ChannelGroups.of(spec, "se.squeeze"), new int[] {1});
        }
    }

    /** Zeroing a group's channels then pruning them leaves every output as it was. */
    private static void assertZeroedPruneExact(Network net, ChannelGroups.Group g, int[] dead) {
        int[] keep = IntStream.range(0, g.channels()).filter(c -> java.util.Arrays.stream(dead).noneMatch(d -> d == c))
                .toArray();
        try (Network z = zeroed(net, g, dead); Network p = ChannelSurgery.prune(z, g, keep)) {
            for (String prod : g.producers()) {
                assertEquals(keep.length, ((ConvSpec) p.spec().node(prod)).out(), prod);
            }
            assertEquals(0f, ChannelSurgeryTest.maxDiff(z, p), 1e-5f, g.name());
            assertTrue(CostReport.of(p.spec()).totalMacs() < CostReport.of(z.spec()).totalMacs(), g.name());
        }
    }

    /** Zeroes channels of every producer of a group and of the batch-norm after it. */
    static Network zeroed(Network net, ChannelGroups.Group g, int[] dead) {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> w = new LinkedHashMap<>();
            net.weights().forEach((k, v) -> w.put(k, v.duplicate()));
            w.values().forEach(a -> a.attach(m));
            for (int c : dead) {
                for (String p : g.producers()) {
                    w.get(p + ".weight").set(new NDIndex(c), 0f);
                }
                for (String bn : g.passThrough()) {
                    int at = g.offsetOf(bn) + c;
                    if (w.containsKey(bn + ".running_mean")) {
                        w.get(bn + ".bias").set(new NDIndex(at), 0f);
                        w.get(bn + ".running_mean").set(new NDIndex(at), 0f);
                    }
                }
            }
            return Network.of(net.spec(), net.classes(), w, "zeroed");
        }
    }

    @Test
    void pruningAZeroedStreamLeavesOutputsUnchanged() {
        try (Network net = Network.random(r20(), 10, 3)) {
            for (String member : List.of("layer1.2.conv2", "layer2.1.conv2", "layer3.0.downsample.0")) {
                ChannelGroups.Group g = ChannelGroups.of(net.spec(), member);
                int[] dead = {1, g.channels() - 2};
                int[] keep = IntStream.range(0, g.channels()).filter(c -> c != dead[0] && c != dead[1]).toArray();
                try (Network z = zeroed(net, g, dead); Network p = ChannelSurgery.prune(z, g, keep)) {
                    for (String prod : g.producers()) {
                        assertEquals(g.channels() - 2, ((ConvSpec) p.spec().node(prod)).out(), prod);
                    }
                    // The zeroed channels contribute exact zeros; what remains is the convolution
                    // kernels' summation order, which changes with the channel count.
                    float d = ChannelSurgeryTest.maxDiff(z, p);
                    assertEquals(0f, d, 1e-5f, member + ": max |diff| " + d);
                    long removed = CostReport.of(z.spec()).totalMacs() - CostReport.of(p.spec()).totalMacs();
                    assertEquals(expectedMacs(z.spec(), g, 2), removed, member);
                    try (Network back = Network.load(p.save(dir, "stream-" + g.name()))) {
                        assertEquals(0f, ChannelSurgeryTest.maxDiff(p, back), 0f);
                    }
                }
            }
        }
    }

    /** MACs removed by dropping k channels of a group: k filters of each producer, k inputs of each consumer. */
    static long expectedMacs(NetworkSpec spec, ChannelGroups.Group g, int k) {
        CostReport cost = CostReport.of(spec);
        long macs = 0;
        for (String p : g.producers()) {
            macs += cost.macsOf(p) / g.channels() * k;
        }
        for (ChannelGroups.Consumer c : g.consumers()) {
            macs += cost.macsOf(c.path()) / g.channels() * k;
        }
        return macs;
    }

    @Test
    void pruningOneCoupledConvNamesTheGroup() {
        try (Network net = Network.random(r20(), 10, 3)) {
            SpecException e = assertThrows(SpecException.class,
                    () -> ChannelSurgery.prune(net, "layer2.1.conv2", new int[] {0}));
            assertTrue(e.getMessage().startsWith("layer2.1.conv2: its channels flow into residual layer2.1"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("group 'layer2.0.conv2'"), e.getMessage());
        }
    }
}

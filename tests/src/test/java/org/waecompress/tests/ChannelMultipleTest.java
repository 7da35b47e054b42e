package org.waecompress.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.configuration2.MapConfiguration;
import org.junit.jupiter.api.Test;
import org.waecompress.backbones.Backbones;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.data.ArrayImageDataset;
import org.waecompress.spi.data.SyntheticImages;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.plugin.StrategyRegistry;
import org.waecompress.spi.spec.ChannelMultiple;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SpecTraversal;
import org.waecompress.spi.train.NetworkTrainer;
import org.waecompress.spi.train.TrainSettings;

/**
 * Issue 30, item 1: {@code channelMultiple} makes every count a strategy sets a multiple (ThiNet's kept
 * channels, Taylor's groups, low-rank's ranks, WAE's high branch), and refuses a multiple no layer can hold.
 */
class ChannelMultipleTest {

    private static final StrategyRegistry SHIPPED = DocsTest.shipped();

    private static NetworkSpec backbone() {
        return Backbones.create("vgg16-bn-small", new Shape(1, 16, 16), 4, 0.25);
    }

    private static CompressionContext ctx(String id, Map<String, Object> s, ArrayImageDataset data) {
        return new CompressionContext(id, new MapConfiguration(s), 3, data, new NetworkTrainer(null),
                TrainSettings.builder().epochs(1).batchSize(16).build(), null, null);
    }

    /** Every convolution's and linear layer's output count that differs from the backbone's. */
    private static List<Integer> changed(NetworkSpec before, NetworkSpec after) {
        List<Integer> out = new ArrayList<>();
        for (SpecTraversal.Visited v : after.nodes()) {
            int n = v.node() instanceof ConvSpec c ? c.out() : v.node() instanceof LinearSpec d ? d.out() : -1;
            if (n < 0) {
                continue;
            }
            int was = -1;
            try {
                var old = before.node(v.path());
                was = old instanceof ConvSpec c ? c.out() : old instanceof LinearSpec d ? d.out() : -1;
            } catch (RuntimeException e) {
                // a node the strategy added (a factor of a decomposed layer)
            }
            if (n != was) {
                out.add(n);
            }
        }
        return out;
    }

    @Test
    void everyCountAStrategySetsIsAMultiple() {
        NetworkSpec b = backbone();
        for (String id : List.of("thinet-70", "thinet-30", "taylor-1", "taylor-2", "lowrank")) {
            NetworkSpec plain = SHIPPED.get(id).architecture(b, ctx(id, Map.of(), null));
            NetworkSpec eight = SHIPPED.get(id).architecture(b, ctx(id, Map.of("channelMultiple", "8"), null));
            List<Integer> counts = changed(b, eight);
            assertTrue(!counts.isEmpty(), id);
            assertTrue(counts.stream().allMatch(n -> n % 8 == 0), id + ": " + counts);
            assertTrue(changed(b, plain).stream().anyMatch(n -> n % 8 != 0), id + ": the case cannot tell");
            double ratio = CostReport.of(eight).totalMacs() / (double) CostReport.of(plain).totalMacs();
            assertTrue(ratio > 0.75 && ratio < 1.33, id + ": the budget is kept within a multiple's rounding, "
                    + ratio);
        }
        // Tucker-2: both ranks of every decomposed convolution
        NetworkSpec tucker = SHIPPED.get("lowrank").architecture(b, ctx("lowrank", Map.of("method", "tucker2",
                "channelMultiple", "8"), null));
        List<Integer> ranks = changed(b, tucker);
        assertTrue(!ranks.isEmpty() && ranks.stream().allMatch(n -> n % 8 == 0), "tucker2: " + ranks);
        assertTrue(changed(b, SHIPPED.get("lowrank").architecture(b, ctx("lowrank", Map.of("method", "tucker2"),
                null))).stream().anyMatch(n -> n % 8 != 0), "tucker2: the case cannot tell");
        // WAE: the high branch is the backbone at a quarter width (4, 8, 16, 32), rounded to 8
        NetworkSpec wae = SHIPPED.get("wae").architecture(b, ctx("wae", Map.of("channelMultiple", "8"), null));
        List<Integer> high = wae.nodes().stream().filter(v -> v.path().contains("high.")
                && v.node() instanceof ConvSpec).map(v -> ((ConvSpec) v.node()).out()).toList();
        assertTrue(!high.isEmpty() && high.stream().allMatch(n -> n % 8 == 0), high.toString());
        NetworkSpec wae1 = SHIPPED.get("wae").architecture(b, ctx("wae", Map.of(), null));
        assertNotEquals(CostReport.of(wae1).totalMacs(), CostReport.of(wae).totalMacs());
    }

    /** Taylor's data-driven pruning: the steps stop at one multiple, then every group drops to a multiple. */
    @Test
    void taylorsPrunedGroupsEndAtMultiples() {
        ArrayImageDataset data = SyntheticImages.create(2, 64, new Shape(1, 16, 16), 4, 0.1);
        NetworkSpec b = backbone();
        try (Network base = Network.random(b, 4, 1);
                Network out = SHIPPED.get("taylor-1").compress(base, ctx("taylor-1", Map.of("batches", "1",
                        "stepFineTuneSteps", "0", "fineTuneEpochs", "0", "channelsPerStep", "13",
                        "channelMultiple", "8"), data))) {
            List<Integer> counts = changed(b, out.spec());
            assertTrue(!counts.isEmpty() && counts.stream().allMatch(n -> n % 8 == 0), counts.toString());
            long macs = CostReport.of(out.spec()).totalMacs();
            long goal = (long) (CostReport.of(b).totalMacs() / 2.5);
            assertTrue(macs <= goal, macs + " above the goal " + goal);
            assertTrue(macs >= goal / 2, macs + ": the multiples overshot the goal " + goal + " by more than 2x");
        }
    }

    @Test
    void aMultipleNoLayerCanHoldIsRefused() {
        NetworkSpec b = backbone();
        for (String id : List.of("thinet", "taylor-1")) {
            InvalidSettingException e = assertThrows(InvalidSettingException.class,
                    () -> SHIPPED.get(id).architecture(b, ctx(id, Map.of("channelMultiple", "128"), null)));
            assertEquals("strategy." + id + ".channelMultiple = 128: is at least as large as the widest layer of "
                    + b.name() + " it would round (128 channels), so nothing could be pruned; use a smaller multiple "
                    + "(or 1 for none)", e.getMessage());
        }
    }

    @Test
    void autoIsTheRuntimesBlockHalvedUntilALayerCanHoldIt() {
        assertEquals(16, ChannelMultiple.forLayer(ChannelMultiple.AUTO, 128, 16));
        assertEquals(8, ChannelMultiple.forLayer(ChannelMultiple.AUTO, 16, 16), "a layer as wide as the block");
        assertEquals(4, ChannelMultiple.forLayer(ChannelMultiple.AUTO, 8, 16));
        assertEquals(1, ChannelMultiple.forLayer(ChannelMultiple.AUTO, 1, 16));
        assertEquals(8, ChannelMultiple.forLayer(ChannelMultiple.AUTO, 64, 8), "AVX2");
        assertEquals(1, ChannelMultiple.forLayer(ChannelMultiple.AUTO, 64, 1), "no blocked layout");
        assertEquals(8, ChannelMultiple.forLayer(8, 4, 16), "a number is taken as given");
        assertEquals(ChannelMultiple.AUTO, (int) ChannelMultiple.setting(1, "doc").parse("k", "auto"));
        InvalidSettingException zero = assertThrows(InvalidSettingException.class,
                () -> ChannelMultiple.setting(1, "doc").parse("strategy.thinet.channelMultiple", "0"));
        assertEquals("strategy.thinet.channelMultiple = 0: must be an integer in [1, 1024] or auto", zero.getMessage());
    }

    @Test
    void autoIsOneMultipleForTheNetworkAndNeverRefusesANarrowOne() {
        assertEquals(16, ChannelMultiple.resolve(ChannelMultiple.AUTO, 128, 16, "k", "n"));
        assertEquals(8, ChannelMultiple.resolve(ChannelMultiple.AUTO, 16, 16, "k", "n"), "all layers <= the block");
        assertEquals(8, ChannelMultiple.resolve(ChannelMultiple.AUTO, 128, 8, "k", "n"), "AVX2");
        assertThrows(InvalidSettingException.class, () -> ChannelMultiple.resolve(16, 16, 16, "k", "n"),
                "a number as wide as every layer is refused");
        int block = ChannelMultiple.runtimeBlock();
        NetworkSpec b = backbone();
        int m = ChannelMultiple.resolve(ChannelMultiple.AUTO, 128, block, "k", "n");
        for (String id : List.of("thinet-30", "taylor-1")) {
            NetworkSpec auto = SHIPPED.get(id).architecture(b, ctx(id, Map.of("channelMultiple", "auto"), null));
            NetworkSpec fixed = SHIPPED.get(id).architecture(b, ctx(id, Map.of("channelMultiple",
                    Integer.toString(m)), null));
            assertEquals(org.waecompress.spi.spec.SpecJson.toJson(fixed), org.waecompress.spi.spec.SpecJson.toJson(
                    auto), id + ": auto on this CPU (block " + block + ") is the multiple " + m + " for this network");
            if (m > 1) {
                List<Integer> counts = changed(b, auto);
                assertTrue(!counts.isEmpty() && counts.stream().allMatch(n -> n % m == 0), id + ": " + counts);
            }
        }
        // every layer of ResNet-20 at a quarter width has at most 16 channels: 16 (AVX-512) is refused, auto is not
        NetworkSpec narrow = Backbones.create("resnet20", new Shape(3, 16, 16), 4, 0.25);
        for (String id : List.of("thinet", "taylor-1", "lowrank")) {
            NetworkSpec out = SHIPPED.get(id).architecture(narrow, ctx(id, Map.of("channelMultiple", "auto"), null));
            assertTrue(CostReport.of(out).totalMacs() < CostReport.of(narrow).totalMacs(), id + " saved nothing");
        }
    }
}

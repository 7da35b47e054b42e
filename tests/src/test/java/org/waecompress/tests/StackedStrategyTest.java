package org.waecompress.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.configuration2.ImmutableConfiguration;
import org.apache.commons.configuration2.MapConfiguration;
import org.junit.jupiter.api.Test;
import org.waecompress.backbones.Backbones;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.data.ArrayImageDataset;
import org.waecompress.spi.data.SyntheticImages;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.error.UnknownStrategyException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.plugin.StackedStrategy;
import org.waecompress.spi.plugin.StrategyRegistry;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SpecTraversal;
import org.waecompress.spi.train.NetworkTrainer;
import org.waecompress.spi.train.TrainSettings;

/** Stacked strategies ({@code A+B}): B compresses A's result, as one row. */
class StackedStrategyTest {

    private static final StrategyRegistry SHIPPED = DocsTest.shipped();

    private static NetworkSpec backbone() {
        return Backbones.create("vgg16-bn-small", new Shape(1, 16, 16), 4, 0.25);
    }

    private static CompressionContext ctx(String id, Map<String, Map<String, Object>> stages, ArrayImageDataset data) {
        Map<String, ImmutableConfiguration> conf = new LinkedHashMap<>();
        stages.forEach((k, v) -> conf.put(k, new MapConfiguration(v)));
        return new CompressionContext(id, StackedStrategy.stageSettings(conf), 5, data, new NetworkTrainer(null),
                TrainSettings.builder().epochs(1).batchSize(16).maxBatchesPerEpoch(2).learningRate(0.01).seed(5)
                        .build(), null, null);
    }

    /** The widths of every convolution under a path prefix, in order. */
    private static List<Integer> widths(NetworkSpec spec, String prefix) {
        return spec.nodes().stream().filter(v -> v.path().startsWith(prefix) && v.node() instanceof ConvSpec)
                .map(v -> ((ConvSpec) v.node()).out()).toList();
    }

    @Test
    void stackIdsResolveToTheirStagesInOrder() {
        CompressionStrategy st = SHIPPED.get("thinet-70+wae");
        StackedStrategy stack = assertInstanceOf(StackedStrategy.class, st);
        assertEquals("thinet-70+wae", stack.id());
        assertEquals(List.of("thinet-70", "wae"), stack.stages().stream().map(CompressionStrategy::id).toList());
        assertEquals("thinet-70, then wae on its result", stack.description());
        UnknownStrategyException u = assertThrows(UnknownStrategyException.class, () -> SHIPPED.get("thinet+nope"));
        assertTrue(u.getMessage().startsWith("unknown strategy 'nope'"), u.getMessage());
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> SHIPPED.get("thinet++wae"));
        assertTrue(e.getMessage().contains("empty stage"), e.getMessage());
        // a stage that cannot take the previous stage's network says so in one line naming the node
        CompressionContext c = ctx("wae+wae", Map.of(), null);
        InvalidSettingException twice = assertThrows(InvalidSettingException.class,
                () -> SHIPPED.get("wae+wae").architecture(backbone(), c));
        assertTrue(twice.getMessage().contains("its root is a waeClassifier"), twice.getMessage());
        assertEquals(1, twice.getMessage().lines().count());
    }

    @Test
    void waeOnAPrunedBackboneUsesThePrunedNetworkAsItsLowBranchAndAQuarterOfItAsItsHighBranch() {
        ArrayImageDataset data = SyntheticImages.create(3, 64, backbone().inputShape(), 4, 0.1);
        CompressionStrategy stack = SHIPPED.get("thinet+wae");
        CompressionContext c = ctx("thinet+wae", Map.of(
                "thinet", Map.of("layerFineTuneSteps", "0", "fineTuneEpochs", "0", "imagesPerClass", "2"),
                "wae", Map.of("stage1.epochs", "1")), data);
        try (Network base = Network.random(backbone(), 4, 1)) {
            NetworkSpec pruned = SHIPPED.get("thinet").architecture(base.spec(), new CompressionContext("thinet",
                    new MapConfiguration(Map.of()), 5, null, new NetworkTrainer(null), c.fineTune(), null, null));
            List<Integer> prunedWidths = widths(pruned, "features");
            NetworkSpec planned = stack.architecture(base.spec(), c);
            try (Network out = stack.compress(base, c)) {
                assertEquals("thinet+wae-" + base.spec().name(), out.spec().name());
                // the cost of the row is the cost of the final network, and the plan predicted it
                assertEquals(CostReport.of(planned).totalMacs(), CostReport.of(out.spec()).totalMacs());
                assertEquals(CostReport.of(planned).totalParams(), CostReport.of(out.spec()).totalParams());
                assertEquals(prunedWidths, widths(out.spec(), "low."), "the low branch is the pruned network");
                List<Integer> high = widths(out.spec(), "high.");
                for (int i = 0; i < high.size(); i++) {
                    assertEquals(Math.max(1, Math.round(prunedWidths.get(i) * 0.25f)), high.get(i),
                            "high branch conv " + i + " is a quarter of the pruned width " + prunedWidths.get(i));
                }
                assertTrue(CostReport.of(out.spec()).totalMacs() < CostReport.of(SHIPPED.get("wae")
                        .architecture(base.spec(), c)).totalMacs(), "WAE on the pruned backbone costs less than WAE");
            }
        }
    }

    @Test
    void lowRankDecomposesTheFullyConnectedHeadsOfAWaeNetwork() {
        ArrayImageDataset data = SyntheticImages.create(3, 64, backbone().inputShape(), 4, 0.1);
        CompressionStrategy stack = SHIPPED.get("wae+lowrank");
        CompressionContext c = ctx("wae+lowrank", Map.of("wae", Map.of("stage1.epochs", "1", "lowHeadWidth", "64",
                "fusionHeadWidth", "64"), "lowrank", Map.of("layers", "linear", "method", "svd",
                "fineTuneEpochs", "0")), data);
        try (Network base = Network.random(backbone(), 4, 1)) {
            NetworkSpec wae = SHIPPED.get("wae").architecture(base.spec(), new CompressionContext("wae",
                    new MapConfiguration(Map.of("lowHeadWidth", "64", "fusionHeadWidth", "64")), 5, null,
                    new NetworkTrainer(null), c.fineTune(), null, null));
            NetworkSpec planned = stack.architecture(base.spec(), c);
            assertTrue(CostReport.of(planned).totalMacs() < CostReport.of(wae).totalMacs(), "lowrank saves MACs");
            try (Network out = stack.compress(base, c)) {
                assertEquals(CostReport.of(planned).totalMacs(), CostReport.of(out.spec()).totalMacs());
                long decomposed = out.spec().nodes().stream().filter(v -> v.path().contains("Head.")
                        && SpecTraversal.paramName(v.path(), "weight").endsWith(".0.weight")).count();
                assertTrue(decomposed > 0, "a head's linear layer became two: " + out.spec().nodes().stream()
                        .map(SpecTraversal.Visited::path).toList());
            }
        }
    }

    /**
     * Issue 29, item 4: with the default method (channel) the heads of a WAE network are decomposed from
     * their responses, as on a plain network; before, collecting them threw inside the WAE container and
     * every layer silently got the weight SVD. Zhang's second layer is the responses' top eigenvectors:
     * orthonormal columns (the SVD's is U S).
     */
    @Test
    void lowRankOnAWaeNetworkUsesTheHeadsResponses() {
        ArrayImageDataset data = SyntheticImages.create(3, 64, backbone().inputShape(), 4, 0.1);
        CompressionStrategy stack = SHIPPED.get("wae+lowrank");
        CompressionContext c = ctx("wae+lowrank", Map.of("wae", Map.of("stage1.epochs", "1", "lowHeadWidth", "64",
                "fusionHeadWidth", "64"), "lowrank", Map.of("layers", "linear", "fineTuneEpochs", "0")), data);
        try (Network base = Network.random(backbone(), 4, 1); Network out = stack.compress(base, c)) {
            List<String> second = out.spec().parameters().keySet().stream().filter(k -> k.contains("Head.")
                    && k.endsWith(".1.weight")).toList();
            assertFalse(second.isEmpty(), "a head's linear layer became two");
            for (String k : second) {
                float[] p = out.weight(k).toFloatArray();
                ai.djl.ndarray.types.Shape sh = out.weight(k).getShape();
                int rows = (int) sh.get(0);
                int cols = (int) sh.get(1);
                for (int a = 0; a < cols; a++) {
                    for (int b = 0; b < cols; b++) {
                        double d = 0;
                        for (int i = 0; i < rows; i++) {
                            d += p[i * cols + a] * p[i * cols + b];
                        }
                        assertEquals(a == b ? 1 : 0, d, 1e-3, k + ": column " + a + " . column " + b);
                    }
                }
            }
        }
    }

    /**
     * Issue 29, item 8: a speed table's row for a stack on Taylor comes from Taylor's data-free architecture
     * (one ratio for every layer), and its note says so, for taylor-1, its variant taylor-2 and the stack;
     * a variant also keeps its base's place in a stack (int8 last).
     */
    @Test
    void aStackOnTaylorSaysItsSpeedRowIsTheUniformArchitecture() {
        for (String id : List.of("taylor-1", "taylor-2", "taylor-1+wae")) {
            String note = SHIPPED.get(id).architectureNote(ctx(id, Map.of(), null));
            assertTrue(note != null && note.contains("same fraction of its maps"), id + ": " + note);
        }
        assertEquals(null, SHIPPED.get("thinet").architectureNote(ctx("thinet", Map.of(), null)));
    }
}

package org.waecompress.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.configuration2.MapConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.experiments.result.SensitivityCell;
import org.waecompress.experiments.sensitivity.BudgetSearch;
import org.waecompress.experiments.sensitivity.SensitivityAnalysis;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.LayerwiseStrategy;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.data.ArrayImageDataset;
import org.waecompress.spi.data.SyntheticImages;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.plugin.StrategyRegistry;
import org.waecompress.spi.spec.ActivationSpec;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.FlattenSpec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.PoolSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.train.NetworkTrainer;
import org.waecompress.spi.train.ProgressListener;
import org.waecompress.spi.train.TrainSettings;

/** waec sensitivity's analysis and budget search on small networks. */
class SensitivityTest {

    private static final StrategyRegistry SHIPPED = DocsTest.shipped();

    /** Three convolutions then a classifier; conv b's weights and bias are all zero. */
    private static NetworkSpec spec() {
        return new NetworkSpec("sens", new Shape(1, 8, 8), SequentialSpec.of("",
                ConvSpec.of("a", 1, 8, 3, 1, 1, true), ActivationSpec.relu("ra"),
                ConvSpec.of("b", 8, 8, 3, 1, 1, true), ActivationSpec.relu("rb"),
                ConvSpec.of("c", 8, 8, 3, 1, 1, true), ActivationSpec.relu("rc"),
                PoolSpec.max("p", 2, 2, 0, false), new FlattenSpec("f"), new LinearSpec("fc", 8 * 16, 3, true)));
    }

    private static Network withZeroLayer() {
        try (Network r = Network.random(spec(), 3, 7); NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> w = new LinkedHashMap<>(r.weights());
            w.put("b.weight", m.zeros(w.get("b.weight").getShape()));
            w.put("b.bias", m.zeros(w.get("b.bias").getShape()));
            return Network.of(spec(), 3, w, "zero b");
        }
    }

    private static CompressionContext ctx(String id, ArrayImageDataset data, Path dir) {
        return new CompressionContext(id, new MapConfiguration(Map.of("imagesPerClass", "4", "batches", "1")), 3, data,
                new NetworkTrainer(null), TrainSettings.builder().epochs(1).batchSize(16).build(), null, dir);
    }

    @Test
    void aLayerWhoseChannelsAreZeroCostsNothingAtAnyRatio(@TempDir Path dir) {
        ArrayImageDataset data = SyntheticImages.create(2, 48, new Shape(1, 8, 8), 3, 0.2);
        for (String id : new String[] {"thinet", "taylor-1"}) {
            CompressionStrategy st = SHIPPED.get(id);
            try (Network net = withZeroLayer()) {
                SensitivityAnalysis.Result r = SensitivityAnalysis.run((LayerwiseStrategy) st, ctx(id, data, dir), net,
                        data, List.of(0.75, 0.25), dir.resolve(id), ProgressListener.NONE);
                assertEquals(List.of("a", "b", "c"), r.units());
                assertEquals(6, r.cells().size());
                for (double ratio : List.of(0.75, 0.25)) {
                    SensitivityCell b = r.cell("b", ratio);
                    assertEquals(0.0, b.drop(), 0.0, id + ": pruning the zero layer b to " + ratio);
                    assertTrue(b.macs() < CostReport.of(net.spec()).totalMacs(), "the cell's network is smaller");
                }
            }
        }
    }

    @Test
    void aResumedAnalysisMeasuresOnlyTheMissingCells(@TempDir Path dir) throws Exception {
        ArrayImageDataset data = SyntheticImages.create(2, 48, new Shape(1, 8, 8), 3, 0.2);
        LayerwiseStrategy st = (LayerwiseStrategy) SHIPPED.get("thinet");
        try (Network net = withZeroLayer()) {
            SensitivityAnalysis.run(st, ctx("thinet", data, dir), net, data, List.of(0.5), dir, ProgressListener.NONE);
            Path file = dir.resolve(SensitivityAnalysis.FILE);
            List<String> first = Files.readAllLines(file);
            assertEquals(1 + 3, first.size(), "a header and one cell per unit");
            // a run killed while writing a line leaves it cut; the resumed run measures that cell again
            Files.writeString(file, String.join("\n", first.subList(0, 3)) + "\n" + first.get(3).substring(0, 10));
            SensitivityAnalysis.Result r = SensitivityAnalysis.run(st, ctx("thinet", data, dir), net, data,
                    List.of(0.5, 0.25), dir, ProgressListener.NONE);
            assertEquals(6, r.cells().size());
            List<String> after = Files.readAllLines(file);
            assertEquals(first.subList(0, 3), after.subList(0, 3), "measured cells are kept as they were");
            assertEquals(1 + 2 + 4, after.size(), "the cut line is gone; c at 0.5 and three cells at 0.25 added");
            assertTrue(after.stream().allMatch(l -> l.startsWith("{") && l.endsWith("}")), String.join("\n", after));
            // a resume under other settings would mix cells of two analyses: refused
            CompressionContext other = new CompressionContext("thinet", new MapConfiguration(Map.of("imagesPerClass",
                    "2")), 3, data, new NetworkTrainer(null), TrainSettings.builder().build(), null, dir);
            org.waecompress.spi.error.DataException e = assertThrows(org.waecompress.spi.error.DataException.class,
                    () -> SensitivityAnalysis.run(st, other, net, data, List.of(0.5), dir, ProgressListener.NONE));
            assertTrue(e.getMessage().contains("resume with the same settings"), e.getMessage());
        }
    }

    /** A hand-made table: unit a is cheap to compress, b expensive, c in between. */
    private static SensitivityAnalysis.Result table(NetworkSpec spec) {
        long base = CostReport.of(spec).totalMacs();
        return new SensitivityAnalysis.Result(0.1, base, List.of("a", "b", "c"), List.of(0.75, 0.5, 0.25), List.of(
                new SensitivityCell("a", 0.75, 0, 0.1, 0), new SensitivityCell("a", 0.5, 0, 0.2, 0),
                new SensitivityCell("a", 0.25, 0, 0.4, 0),
                new SensitivityCell("b", 0.75, 0, 5.0, 0), new SensitivityCell("b", 0.5, 0, 9.0, 0),
                new SensitivityCell("b", 0.25, 0, 20.0, 0),
                new SensitivityCell("c", 0.75, 0, 1.0, 0), new SensitivityCell("c", 0.5, 0, -0.5, 0),
                new SensitivityCell("c", 0.25, 0, 3.0, 0)));
    }

    @Test
    void theBudgetMeetsItsTargetWithTheLeastSensitiveUnitsFirst() {
        CompressionStrategy st = SHIPPED.get("thinet");
        CompressionContext c = ctx("thinet", null, null);
        NetworkSpec spec = spec();
        long base = CostReport.of(spec).totalMacs();
        // MACs: a 4,608, b 36,864, c 36,864, fc 384 (78,720); the goal at 2x is 39,360. a's steps cost 0.1-0.2
        // points per ~10 K MACs, c's first 1.0 per 9.3 K, b's first 5.0 per 11.5-18.4 K: a goes to 0.25 (47,616),
        // then c to 0.75 (38,304)
        BudgetSearch.Budget b = BudgetSearch.search(st, c, spec, table(spec), 2.0);
        assertEquals(78_720, base);
        assertTrue(b.met(), b.verdict());
        assertEquals(Map.of("a", 0.25, "c", 0.75), b.ratios());
        assertEquals(38_304, b.macs());
        assertEquals(39_360, b.goal());
        // the MACs are exactly those of the strategy's architecture with the chosen ratios
        assertEquals(CostReport.of(st.architecture(spec, BudgetSearch.withRatios(c, b.ratios()))).totalMacs(),
                b.macs());
        double predicted = b.ratios().entrySet().stream().mapToDouble(e -> Math.max(0, table(spec).cell(e.getKey(),
                e.getValue()).drop())).sum();
        assertEquals(predicted, b.predictedDrop(), 1e-12);
        assertTrue(b.verdict().startsWith("meets the target"), b.verdict());
        // the strategy applies the budget through its layerRatios setting
        CompressionContext applied = BudgetSearch.withRatios(c, b.ratios());
        assertEquals(b.ratios(), LayerwiseStrategy.layerRatios(applied, List.of("a", "b", "c")));
    }

    @Test
    void anUnreachableTargetSaysHowCloseItGot() {
        CompressionStrategy st = SHIPPED.get("thinet");
        NetworkSpec spec = spec();
        BudgetSearch.Budget b = BudgetSearch.search(st, ctx("thinet", null, null), spec, table(spec), 50);
        assertFalse(b.met());
        assertEquals(Map.of("a", 0.25, "b", 0.25, "c", 0.25), b.ratios(), "every unit at its lowest ratio");
        assertTrue(b.verdict().startsWith("cannot meet the target with these ratios: every unit at its lowest ratio "
                + "leaves"), b.verdict());
    }

    @Test
    void layerRatiosNamingAnUnknownUnitIsOneLine() {
        CompressionContext c = new CompressionContext("thinet", new MapConfiguration(Map.of("layerRatios",
                "a:0.5,nope:0.5")), 3, null, new NetworkTrainer(null), TrainSettings.builder().build(), null, null);
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> SHIPPED.get("thinet").architecture(spec(), c));
        assertEquals("strategy.thinet.layerRatios = a:0.5,nope:0.5: 'nope' is not a unit this strategy compresses; "
                + "its units: a, b, c", e.getMessage());
        CompressionContext bad = new CompressionContext("lowrank", new MapConfiguration(Map.of("layerRatios",
                "a:1.5")), 3, null, new NetworkTrainer(null), TrainSettings.builder().build(), null, null);
        InvalidSettingException e2 = assertThrows(InvalidSettingException.class,
                () -> SHIPPED.get("lowrank").architecture(spec(), bad));
        assertTrue(e2.getMessage().contains("entry 'a:1.5' must be path:ratio with a ratio in (0, 1]"),
                e2.getMessage());
    }

    @Test
    void everyLayerwiseStrategyAppliesLayerRatiosAsItsArchitectureSays() {
        ArrayImageDataset data = SyntheticImages.create(2, 48, new Shape(1, 8, 8), 3, 0.2);
        Map<String, Map<String, Object>> settings = Map.of(
                "thinet", Map.of("layerRatios", "a:0.5,c:0.25", "imagesPerClass", "4", "layerFineTuneSteps", "0",
                        "fineTuneEpochs", "0"),
                "taylor-1", Map.of("layerRatios", "a:0.5,c:0.25", "batches", "1", "stepFineTuneSteps", "0",
                        "fineTuneEpochs", "0"),
                "lowrank", Map.of("layerRatios", "b:0.5,c:0.25", "calibrationImages", "16", "fineTuneEpochs", "0"));
        try (Network net = Network.random(spec(), 3, 7)) {
            for (Map.Entry<String, Map<String, Object>> e : settings.entrySet()) {
                CompressionStrategy st = SHIPPED.get(e.getKey());
                CompressionContext c = new CompressionContext(e.getKey(), new MapConfiguration(e.getValue()), 3, data,
                        new NetworkTrainer(null), TrainSettings.builder().epochs(1).batchSize(16).build(), null, null);
                NetworkSpec planned = st.architecture(net.spec(), c);
                try (Network out = st.compress(net, c)) {
                    assertEquals(CostReport.of(planned).totalMacs(), CostReport.of(out.spec()).totalMacs(), e.getKey());
                    assertTrue(CostReport.of(out.spec()).totalMacs() < CostReport.of(net.spec()).totalMacs());
                    if (!e.getKey().equals("lowrank")) {
                        assertEquals(4, ((ConvSpec) out.spec().node("a")).out(), e.getKey() + ": a at half of 8");
                        assertEquals(8, ((ConvSpec) out.spec().node("b")).out(), e.getKey() + ": b is not listed");
                        assertEquals(2, ((ConvSpec) out.spec().node("c")).out(), e.getKey() + ": c at a quarter");
                    }
                }
            }
        }
    }

    /** No unit of a budget can go back up one ratio while the target still holds (the last step's overshoot). */
    @Test
    void aBudgetGivesBackWhatTheTargetCanSpare() {
        CompressionStrategy st = SHIPPED.get("thinet");
        CompressionContext c = ctx("thinet", null, null);
        NetworkSpec spec = org.waecompress.backbones.Backbones.create("vgg16-bn-small", new Shape(1, 32, 32), 10,
                0.25);
        List<String> units = ((LayerwiseStrategy) st).units(spec, c);
        List<Double> ratios = List.of(0.9, 0.7, 0.5, 0.3, 0.2);
        java.util.Random r = new java.util.Random(3);
        List<SensitivityCell> cells = new java.util.ArrayList<>();
        for (String u : units) {
            double d = 0;
            for (double ratio : ratios) {
                d += r.nextDouble() * 4;
                cells.add(new SensitivityCell(u, ratio, 0, d, 0));
            }
        }
        SensitivityAnalysis.Result table = new SensitivityAnalysis.Result(0.1, CostReport.of(spec).totalMacs(), units,
                ratios, cells);
        for (double target : new double[] {1.5, 2.5, 4.0}) {
            BudgetSearch.Budget b = BudgetSearch.search(st, c, spec, table, target);
            assertTrue(b.met(), b.verdict());
            for (Map.Entry<String, Double> e : b.ratios().entrySet()) {
                Map<String, Double> up = new LinkedHashMap<>(b.ratios());
                int at = ratios.indexOf(e.getValue());
                if (at == 0) {
                    up.remove(e.getKey());
                } else {
                    up.put(e.getKey(), ratios.get(at - 1));
                }
                long m = CostReport.of(st.architecture(spec, BudgetSearch.withRatios(c, up))).totalMacs();
                assertTrue(m > b.goal(), target + "x: " + e.getKey() + " could go back to " + (at == 0 ? "whole"
                        : ratios.get(at - 1)) + " (" + m + " MACs, goal " + b.goal() + ")");
            }
        }
    }

    private static SensitivityAnalysis.Result table(NetworkSpec spec, Map<String, double[]> drops) {
        List<Double> ratios = List.of(0.75, 0.5, 0.25);
        List<SensitivityCell> cells = new java.util.ArrayList<>();
        drops.forEach((u, d) -> {
            for (int i = 0; i < ratios.size(); i++) {
                cells.add(new SensitivityCell(u, ratios.get(i), 0, d[i], 0));
            }
        });
        return new SensitivityAnalysis.Result(0.1, CostReport.of(spec).totalMacs(), List.copyOf(drops.keySet()),
                ratios, cells);
    }

    /**
     * Issue 30, item 3: in time a lower ratio can cost more (six channels miss the runtime's blocked layout),
     * so the search looks past a ratio that saves nothing. Here c at 0.75 (6 channels) is slower than the
     * whole network and c at 0.5 (4) meets the goal for 0.2 points; a search that only tried each unit's
     * next ratio would leave c whole and pay 50 points for b.
     */
    @Test
    void aRatioThatSavesNothingIsLookedPast() {
        CompressionStrategy st = SHIPPED.get("thinet");
        CompressionContext c = ctx("thinet", null, null);
        NetworkSpec spec = spec();
        BudgetSearch.Cost layout = new BudgetSearch.Cost() {
            @Override
            public double of(NetworkSpec net) {
                return CostReport.of(net).totalMacs() + (((ConvSpec) net.node("c")).out() == 6 ? 100_000 : 0);
            }

            @Override
            public String format(double v) {
                return (long) v + " units";
            }
        };
        Map<String, double[]> drops = new LinkedHashMap<>();
        drops.put("a", new double[] {50, 60, 70});
        drops.put("b", new double[] {50, 60, 70});
        drops.put("c", new double[] {0.1, 0.2, 0.3});
        List<String> steps = new java.util.ArrayList<>();
        BudgetSearch.Budget b = BudgetSearch.search(st, c, spec, table(spec, drops), layout, 65_000,
                ProgressListener.messages(steps::add));
        assertEquals(Map.of("c", 0.5), b.ratios(), b.verdict());
        assertEquals(1, steps.size(), String.join("\n", steps));
        assertTrue(steps.get(0).startsWith("budget search step 1: c to 0.5, 60096 units"), steps.get(0));
        assertEquals(60_096, b.cost());
        assertEquals(0.2, b.predictedDrop(), 1e-12);
        assertTrue(b.verdict().startsWith("meets the target: 60096 units (1.31x less) against 65000 units"),
                b.verdict());
    }

    /**
     * Issue 29, item 3: the give-back only returns steps that raised the predicted loss. c's second step
     * (0.75 to 0.5) measured a negative drop (noise: -0.5 after +1.0), so it lowered the predicted loss;
     * giving it back meets the target too (53,280 MACs against 55,000) but raises the loss from 3 to 4 points.
     */
    @Test
    void theGiveBackNeverRaisesThePredictedLoss() {
        CompressionStrategy st = SHIPPED.get("thinet");
        CompressionContext c = ctx("thinet", null, null);
        NetworkSpec spec = spec();
        Map<String, double[]> drops = new LinkedHashMap<>();
        drops.put("a", new double[] {100, 100, 100});
        drops.put("b", new double[] {3, 40, 50});
        drops.put("c", new double[] {1.0, -0.5, 30});
        // greedy: c to 0.75 (1 point for 9,312 MACs), c to 0.5 (a negative step), b to 0.75 (3 points for
        // 13,824): 46,272 MACs, at or below the goal of 55,000 (78,720 / 1.4313)
        BudgetSearch.Budget b = BudgetSearch.search(st, c, spec, table(spec, drops), 78_720 / 55_000.0);
        assertEquals(55_000, b.goal());
        assertEquals(Map.of("b", 0.75, "c", 0.5), b.ratios(), b.verdict());
        assertEquals(46_272, b.macs());
        assertEquals(3.0, b.predictedDrop(), 1e-12);
        assertEquals(CostReport.of(st.architecture(spec, BudgetSearch.withRatios(c, Map.of("b", 0.75, "c", 0.75))))
                .totalMacs(), 53_280, "giving c's step back would still meet the goal");
    }

    /**
     * Issue 29, item 7: a variant that replaces the head (thinet-gap) saves the head's MACs whatever the
     * ratios; the search starts from that network, so no unit's first step is credited with the head's
     * saving. On this spec the head (flatten, 128 to 256 to 3) costs 33,536 MACs and the GAP head 24 plus
     * its pooling: credited to the first step it made a (1 point for 10,368 MACs) look cheaper than b
     * (1.5 points for 18,432), which is the cheaper per MAC saved.
     */
    @Test
    void aVariantThatReplacesTheHeadStartsItsBudgetFromItsOwnNetwork() {
        NetworkSpec spec = new NetworkSpec("head", new Shape(1, 8, 8), SequentialSpec.of("",
                ConvSpec.of("a", 1, 8, 3, 1, 1, true), ActivationSpec.relu("ra"),
                ConvSpec.of("b", 8, 8, 3, 1, 1, true), ActivationSpec.relu("rb"),
                ConvSpec.of("c", 8, 8, 3, 1, 1, true), ActivationSpec.relu("rc"),
                PoolSpec.max("p", 2, 2, 0, false), new FlattenSpec("f"), new LinearSpec("fc1", 8 * 16, 256, true),
                ActivationSpec.relu("r1"), new LinearSpec("fc", 256, 3, true)));
        CompressionStrategy st = SHIPPED.get("thinet-gap");
        CompressionContext c = ctx("thinet-gap", null, null);
        Map<String, double[]> drops = new LinkedHashMap<>();
        drops.put("a", new double[] {1.0, 50, 60});
        drops.put("b", new double[] {1.5, 50, 60});
        drops.put("c", new double[] {90, 95, 99});
        long whole = CostReport.of(st.architecture(spec, BudgetSearch.withRatios(c, Map.of("a", 1.0, "b", 1.0,
                "c", 1.0)))).totalMacs();
        long bStep = CostReport.of(st.architecture(spec, BudgetSearch.withRatios(c, Map.of("b", 0.75))))
                .totalMacs();
        long aStep = CostReport.of(st.architecture(spec, BudgetSearch.withRatios(c, Map.of("a", 0.75))))
                .totalMacs();
        assertEquals(18_432, whole - bStep);
        assertEquals(10_368, whole - aStep);
        // a target that one step of b meets
        double target = CostReport.of(spec).totalMacs() / (double) bStep;
        BudgetSearch.Budget b = BudgetSearch.search(st, c, spec, table(spec, drops), target);
        assertEquals(Map.of("b", 0.75), b.ratios(), b.verdict());
        assertEquals(whole, b.whole(), "the search starts from the variant's own network");
        assertTrue(b.verdict().contains("with every unit whole the strategy's network has"), b.verdict());
        assertEquals(bStep, b.macs());
        assertEquals(1.5, b.predictedDrop(), 1e-12);
    }

    /** Issue 29, item 2: the held-out images are training images drawn from the seed, not the first ones. */
    @Test
    void heldOutImagesAreSeededTrainingImages() {
        ArrayImageDataset train = SyntheticImages.create(2, 400, new Shape(1, 8, 8), 3, 0.2);
        org.waecompress.spi.data.ImageDataset h = SensitivityAnalysis.heldOut(train, 100, 42);
        assertEquals(100, h.size());
        assertTrue(h.name().contains("sensitivity held-out: 100 training images drawn with seed 42"), h.name());
        java.util.Set<String> all = new java.util.HashSet<>();
        for (int i = 0; i < train.size(); i++) {
            all.add(image(train, i));
        }
        java.util.Set<String> first = new java.util.HashSet<>();
        java.util.Set<String> drawn = new java.util.HashSet<>();
        java.util.Set<String> other = new java.util.HashSet<>();
        org.waecompress.spi.data.ImageDataset again = SensitivityAnalysis.heldOut(train, 100, 42);
        org.waecompress.spi.data.ImageDataset seed43 = SensitivityAnalysis.heldOut(train, 100, 43);
        for (int i = 0; i < 100; i++) {
            first.add(image(train, i));
            drawn.add(image(h, i));
            other.add(image(seed43, i));
            assertEquals(image(h, i), image(again, i), "the same seed draws the same images");
        }
        assertTrue(all.containsAll(drawn), "every held-out image is a training image");
        assertEquals(100, drawn.size(), "drawn without replacement");
        assertFalse(drawn.equals(first), "not the first images");
        assertFalse(drawn.equals(other), "another seed draws others");
    }

    private static String image(org.waecompress.spi.data.ImageDataset d, int i) {
        float[] x = new float[(int) d.sampleShape().size()];
        d.copyImage(i, x, 0);
        return java.util.Arrays.toString(x);
    }
}

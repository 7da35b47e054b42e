package org.waecompress.baselines.taylor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
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
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.plugin.StrategyRegistry;
import org.waecompress.spi.spec.ActivationSpec;
import org.waecompress.spi.spec.BatchNormSpec;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.GlobalAvgPoolSpec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.surgery.ChannelGroups;
import org.waecompress.spi.train.NetworkTrainer;
import org.waecompress.spi.train.TrainLoss;
import org.waecompress.spi.train.TrainSettings;

class TaylorTest {

    static NetworkSpec net() {
        return new NetworkSpec("t", new Shape(2, 6, 6), SequentialSpec.of("",
                ConvSpec.of("c1", 2, 5, 3, 1, 1, true), ActivationSpec.relu("r1"),
                ConvSpec.of("c2", 5, 4, 3, 1, 1, true), ActivationSpec.relu("r2"),
                new GlobalAvgPoolSpec("gap"), new LinearSpec("fc", 4, 3, true)));
    }

    /** The tail after c1's nonlinearity, whose input is the feature map the criterion scores. */
    static NetworkSpec tail() {
        return new NetworkSpec("tail", new Shape(5, 6, 6), SequentialSpec.of("",
                ConvSpec.of("c2", 5, 4, 3, 1, 1, true), ActivationSpec.relu("r2"),
                new GlobalAvgPoolSpec("gap"), new LinearSpec("fc", 4, 3, true)));
    }

    static CompressionContext ctx(Map<String, Object> s, ArrayImageDataset data) {
        return new CompressionContext("taylor-1", new MapConfiguration(s), 3, data, new NetworkTrainer(null),
                TrainSettings.builder().epochs(1).batchSize(16).build(), null, null);
    }

    @Test
    void gateGradientEqualsTheDefinitionAndDisconnectedChannelsScoreZero() {
        ArrayImageDataset data = SyntheticImages.create(1, 16, new Shape(2, 6, 6), 3, 0.2);
        try (Network random = Network.random(net(), 3, 7); NDManager m = NDManager.newBaseManager()) {
            // disconnect c1's channel 3: c2 reads nothing from it
            Map<String, NDArray> w = new LinkedHashMap<>(random.weights());
            NDArray c2 = random.weight("c2.weight").duplicate();
            c2.attach(m);
            c2.set(new NDIndex(":, 3"), 0f);
            w.put("c2.weight", c2);
            try (Network n = Network.of(net(), 3, w, "test")) {
                double[] gate = TaylorCriterion.rawScores(n, List.of("c1"), data, 1, 16, 0).get("c1");
                assertEquals(0.0, gate[3], 0.0, "disconnected channel");
                // definition (Molchanov et al.): a is c1's map after its nonlinearity; per example n,
                // |(1/M) sum over positions of a * dC_n/da|, averaged over the N examples; the batch loss is
                // the mean of the C_n, so dC_n/da = N dL/da
                Map<String, NDArray> tw = new LinkedHashMap<>();
                for (String k : new String[] {"c2.weight", "c2.bias", "fc.weight", "fc.bias"}) {
                    tw.put(k, n.weight(k));
                }
                Map<String, NDArray> hw = new LinkedHashMap<>();
                hw.put("c1.weight", n.weight("c1.weight"));
                hw.put("c1.bias", n.weight("c1.bias"));
                NetworkSpec head = new NetworkSpec("head", new Shape(2, 6, 6), SequentialSpec.of("",
                        ConvSpec.of("c1", 2, 5, 3, 1, 1, true), ActivationSpec.relu("r1")));
                try (Network h = Network.of(head, 3, hw, "head"); Network t = Network.of(tail(), 3, tw, "tail");
                        BuiltNetwork hb = h.build(m); BuiltNetwork tb = t.build(m)) {
                    NDList xy = data.batch(m, java.util.stream.IntStream.range(0, 16).toArray());
                    NDArray a = hb.predict(xy.get(0));
                    a.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray logits = tb.forward(new NDList(a), false).head();
                        gc.backward(TrainLoss.crossEntropy(logits, xy.get(1)));
                    }
                    float[] prod = a.mul(a.getGradient()).sum(new int[] {2, 3}).toFloatArray(); // (16, 5)
                    boolean signsDiffer = false;
                    for (int c = 0; c < 5; c++) {
                        double perExample = 0;
                        double ofMean = 0;
                        for (int k = 0; k < 16; k++) {
                            perExample += Math.abs(16 * prod[k * 5 + c]) / 36 / 16;
                            ofMean += 16 * prod[k * 5 + c] / 36 / 16;
                        }
                        assertEquals(perExample, gate[c], 1e-6 + 1e-4 * perExample, "channel " + c);
                        signsDiffer |= perExample > 1.5 * Math.abs(ofMean);
                    }
                    assertTrue(signsDiffer, "no channel whose examples disagree in sign: the case cannot tell "
                            + "the mean of absolute values from the absolute value of the mean");
                }
            }
        }
    }

    /**
     * Two layers whose raw scores differ in scale: c1's are a hundred times c2's. Raw, c2 would lose its
     * smallest map; normalised by each layer's L2 norm (c1 [100, 300, 300, 250, 280] -> [0.17, 0.52, 0.52,
     * 0.43, 0.49], c2 [1, 1.2, 1.1, 1.3] -> [0.43, 0.52, 0.48, 0.56]), c1's first map is the least important.
     */
    @Test
    void aStepComparesScoresAfterEachLayersNormalisation() {
        NetworkSpec spec = net();
        Map<String, ChannelGroups.Group> groups = TaylorStrategy.byName(spec, List.of("c1", "c2"));
        Map<String, double[]> raw = new LinkedHashMap<>();
        raw.put("c1", new double[] {100, 300, 300, 250, 280});
        raw.put("c2", new double[] {1, 1.2, 1.1, 1.3});
        Map<String, List<Integer>> r = TaylorStrategy.step(raw, groups, CostReport.of(spec),
                TaylorStrategy.FlopsTerm.OFF, 1, Map.of());
        assertEquals(List.of(0), r.get("c1"), r.toString());
        assertTrue(r.getOrDefault("c2", List.of()).isEmpty(), r.toString());
        Map<String, double[]> n = TaylorCriterion.normalise(Map.of("a", new double[] {3, 4}, "z", new double[] {0, 0}));
        assertEquals(0.6, n.get("a")[0], 1e-12);
        assertEquals(0.8, n.get("a")[1], 1e-12);
        assertEquals(0.0, n.get("z")[1], 0);
    }

    /** A unit keeps its highest-scored maps, in channel order (compressUnit, layerRatios, waec sensitivity). */
    @Test
    void aUnitKeepsItsHighestScoredMaps() {
        assertArrayEquals(new int[] {0, 2}, TaylorStrategy.highest(new double[] {0.5, 0.1, 0.9, 0.3}, 2));
        assertArrayEquals(new int[] {2}, TaylorStrategy.highest(new double[] {0.5, 0.1, 0.9, 0.3}, 1));
        assertArrayEquals(new int[] {0, 1, 2, 3}, TaylorStrategy.highest(new double[] {0.5, 0.1, 0.9, 0.3}, 4));
    }

    @Test
    void aStepRemovesTheLeastImportantMapsAndKeepsOnePerLayer() {
        NetworkSpec spec = net();
        Map<String, ChannelGroups.Group> groups = TaylorStrategy.byName(spec, List.of("c1", "c2"));
        Map<String, double[]> scores = new LinkedHashMap<>();
        scores.put("c1", new double[] {0.9, 0.05, 0.5, 0.3, 0.7});
        scores.put("c2", new double[] {0.2, 0.8, 0.01, 0.6});
        Map<String, List<Integer>> r = TaylorStrategy.lowest(scores, groups, CostReport.of(spec),
                TaylorStrategy.FlopsTerm.OFF, 3);
        assertEquals(List.of(1), r.get("c1"), "c1's least important map");
        assertEquals(List.of(2, 0), r.get("c2"), "c2's two least important maps, lowest first");
        // a layer is never emptied
        scores.put("c2", new double[] {0.0, 0.0, 0.0, 0.0});
        r = TaylorStrategy.lowest(scores, groups, CostReport.of(spec), TaylorStrategy.FlopsTerm.OFF, 5);
        assertEquals(3, r.get("c2").size());
    }

    @Test
    void theFlopsTermPrunesTheExpensiveMapsFirstInEitherUnit() {
        NetworkSpec spec = net();
        CostReport cost = CostReport.of(spec);
        Map<String, ChannelGroups.Group> groups = TaylorStrategy.byName(spec, List.of("c1", "c2"));
        // known answers on 6x6 maps: c1 = 2 -> 5 channels 3x3, c2 = 5 -> 4 channels 3x3, fc 4 -> 3
        // mflops: c1's map 2 * 36 * 2 * 9 = 1,296 FLOPs, c2's 2 * 36 * 5 * 9 = 3,240
        assertEquals(1e-3 * 1296 / 1e6, new TaylorStrategy.FlopsTerm(1e-3, "mflops").of(groups.get("c1"), cost), 1e-15);
        assertEquals(1e-3 * 3240 / 1e6, new TaylorStrategy.FlopsTerm(1e-3, "mflops").of(groups.get("c2"), cost), 1e-15);
        // share: c1's map 648 MACs + a fifth of c2's 6,480; c2's 1,620 + a quarter of fc's 12
        double total = cost.totalMacs();
        assertEquals(0.5 * (648 + 6480 / 5.0) / total, new TaylorStrategy.FlopsTerm(0.5, "share")
                .of(groups.get("c1"), cost), 1e-12);
        assertEquals(0.5 * (1620 + 12 / 4.0) / total, new TaylorStrategy.FlopsTerm(0.5, "share")
                .of(groups.get("c2"), cost), 1e-12);
        // equal scores: the term alone decides, and it prunes the map that costs more
        Map<String, double[]> scores = new LinkedHashMap<>();
        scores.put("c1", new double[] {0.5, 0.5, 0.5, 0.5, 0.5});
        scores.put("c2", new double[] {0.5, 0.5, 0.5, 0.5});
        Map<String, List<Integer>> r = TaylorStrategy.lowest(scores, groups, cost,
                new TaylorStrategy.FlopsTerm(1e-3, "mflops"), 2);
        assertEquals(List.of(0, 1), r.get("c2"), "c2's maps cost more FLOPs of their own");
        assertEquals(null, r.get("c1"));
        r = TaylorStrategy.lowest(scores, groups, cost, new TaylorStrategy.FlopsTerm(0.5, "share"), 2);
        assertEquals(List.of(0, 1), r.get("c1"), "c1's maps cost more with their share of c2");
        assertEquals(null, r.get("c2"));
        // the term does not outweigh a real difference in importance at the paper's scale
        scores.put("c1", new double[] {0.9, 0.9, 0.9, 0.9, 0.9});
        scores.put("c2", new double[] {0.1, 0.9, 0.9, 0.9});
        r = TaylorStrategy.lowest(scores, groups, cost, new TaylorStrategy.FlopsTerm(0.5, "share"), 1);
        assertEquals(List.of(0), r.get("c2"));
    }

    @Test
    void theScoredMapIsTheOnePruningRemoves() {
        // conv, batch-norm, relu: after the relu; a convolution followed by nothing of its own: its output
        NetworkSpec vgg = Backbones.create("vgg16-bn-small", new Shape(1, 16, 16), 4, 0.125);
        Map<String, String> gates = new LinkedHashMap<>();
        TaylorCriterion.gated(vgg, List.of("features.0"), 2, gates);
        assertEquals("features.2.gate", gates.get("features.0"));
        assertTrue(vgg.node("features.1") instanceof BatchNormSpec
                && vgg.node("features.2") instanceof ActivationSpec);
        gates.clear();
        TaylorCriterion.gated(net(), List.of("c1"), 2, gates);
        assertEquals("r1.gate", gates.get("c1"));
    }

    @Test
    void iterativePruningMeetsTheMacTarget() {
        ArrayImageDataset data = SyntheticImages.create(2, 64, new Shape(1, 16, 16), 4, 0.1);
        NetworkSpec spec = Backbones.create("vgg16-bn-small", new Shape(1, 16, 16), 4, 0.125);
        try (Network base = Network.random(spec, 4, 1);
                Network out = StrategyRegistry.discover().get("taylor-1").compress(base,
                        ctx(Map.of("batches", "1", "stepFineTuneSteps", "1", "fineTuneEpochs", "0",
                                "channelsPerStep", "20"), data))) {
            long before = CostReport.of(spec).totalMacs();
            long after = CostReport.of(out.spec()).totalMacs();
            assertTrue(after <= before / 2.5, after + " vs " + before);
            assertEquals(new Shape(4), out.spec().outputShape());
        }
    }

    @Test
    void groupsSettingPrunesResidualStreams() {
        ArrayImageDataset data = SyntheticImages.create(2, 64, new Shape(1, 16, 16), 4, 0.1);
        NetworkSpec spec = Backbones.create("resnet20", new Shape(1, 16, 16), 4, 0.5);
        try (Network base = Network.random(spec, 4, 1);
                Network out = new TaylorStrategy().compress(base,
                        ctx(Map.of("batches", "1", "stepFineTuneSteps", "1", "fineTuneEpochs", "0",
                                "channelsPerStep", "12", "targetSpeedup", "4", "groups", "all"), data))) {
            long before = CostReport.of(spec).totalMacs();
            long after = CostReport.of(out.spec()).totalMacs();
            assertTrue(after <= before / 4.0, after + " vs " + before);
            int stem = ((ConvSpec) out.spec().node("conv1")).out();
            assertTrue(stem < 8, "stage-1 stream kept " + stem + " of 8 channels");
            for (String p : List.of("layer1.0.conv2", "layer1.1.conv2", "layer1.2.conv2")) {
                assertEquals(stem, ((ConvSpec) out.spec().node(p)).out(), p);
            }
        }
        // One named stream widens the default set by that group only.
        List<String> one = TaylorStrategy.prunable(spec, "layer2.1.conv2", "k");
        assertEquals(10, one.size(), one.toString());
        assertTrue(one.contains("layer2.0.conv2"), one.toString());
        InvalidSettingException bad = assertThrows(InvalidSettingException.class,
                () -> TaylorStrategy.prunable(spec, "fc", "strategy.taylor-2.groups"));
        assertTrue(bad.getMessage().startsWith("strategy.taylor-2.groups = fc: names a layer whose channels cannot "
                + "be pruned (fc: no convolution"), bad.getMessage());
    }

    @Test
    void speedTableArchitectureMeetsTheTarget() {
        NetworkSpec vgg = Backbones.create("vgg16-bn-small", new Shape(1, 32, 32), 10, 1.0);
        NetworkSpec a = new TaylorStrategy().architecture(vgg, ctx(Map.of("targetSpeedup", "3.9"), null));
        double ratio = CostReport.of(vgg).totalMacs() / (double) CostReport.of(a).totalMacs();
        assertTrue(ratio >= 3.9 && ratio < 4.3, "MAC reduction " + ratio);
    }

    @Test
    void badSettingsNameTheKey() {
        NetworkSpec r20 = Backbones.create("resnet20", new Shape(1, 16, 16), 10, 0.25);
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> new TaylorStrategy().architecture(r20, ctx(Map.of("targetSpeedup", "50"), null)));
        assertTrue(e.getMessage().startsWith("strategy.taylor-1.targetSpeedup = 50.0: is unreachable"), e.getMessage());
        e = assertThrows(InvalidSettingException.class,
                () -> new TaylorStrategy().architecture(r20, ctx(Map.of("targetSpeedup", "0.5"), null)));
        assertEquals("strategy.taylor-1.targetSpeedup = 0.5: must be a number > 1", e.getMessage());
    }

    @Test
    void aResidualStreamScoresTheSumOfItsProducers() {
        // a stream written by two convolutions: removing channel c removes both contributions
        ChannelGroups.Group stream = new ChannelGroups.Group("a", 3, List.of("a", "b"), List.of(), List.of(),
                List.of("add"));
        ChannelGroups.Group single = new ChannelGroups.Group("c", 2, List.of("c"), List.of(), List.of(), List.of());
        Map<String, ChannelGroups.Group> groups = new LinkedHashMap<>();
        groups.put("a", stream);
        groups.put("c", single);
        Map<String, double[]> raw = Map.of("a", new double[] {0.1, 0.5, 0.2}, "b", new double[] {0.3, 0.1, 0.0},
                "c", new double[] {0.7, 0.25});
        Map<String, double[]> g = TaylorStrategy.groupScores(groups, raw);
        assertArrayEquals(new double[] {0.4, 0.6, 0.2}, g.get("a"), 1e-12);
        assertArrayEquals(new double[] {0.7, 0.25}, g.get("c"), 1e-12);
        assertEquals(List.of("a", "c"), List.copyOf(g.keySet()));
    }

    @Test
    void theTableNoteNamesTheStepAndAnEmptyGroupListIsRefused() {
        TaylorStrategy t = new TaylorStrategy();
        assertEquals("removes 5% of the prunable maps per step (channelsPerStep; the paper removes one map per step)",
                t.tableNote(ctx(Map.of(), null)));
        assertEquals("removes 12 maps per step (channelsPerStep; the paper removes one map per step)",
                t.tableNote(ctx(Map.of("channelsPerStep", "12"), null)));
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> t.checkSettings(ctx(Map.of("groups", " "), null)));
        assertTrue(e.getMessage().startsWith("strategy.taylor-1.groups = : must be inner, all or conv paths"),
                e.getMessage());
        assertEquals("inner", t.settings(ctx(Map.of(), null)).groups());
        assertEquals("layer1,layer2", t.settings(ctx(Map.of("groups", "layer1,layer2"), null)).groups());
    }

    /** A network whose c1 maps 0 and 2 carry nothing (zero weights and bias, so zero after the ReLU). */
    private static Network deadMaps() {
        try (Network random = Network.random(net(), 3, 7); NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> w = new LinkedHashMap<>(random.weights());
            NDArray c1 = random.weight("c1.weight").duplicate();
            NDArray b1 = random.weight("c1.bias").duplicate();
            c1.attach(m);
            b1.attach(m);
            for (int dead : new int[] {0, 2}) {
                c1.set(new NDIndex(dead), 0f);
                b1.set(new NDIndex(dead), 0f);
            }
            w.put("c1.weight", c1);
            w.put("c1.bias", b1);
            return Network.of(net(), 3, w, "dead maps");
        }
    }

    /**
     * The per-unit path of waec sensitivity (issue 29): compressUnit prunes one group by the criterion and
     * keeps its highest-scored maps. c1's maps 0 and 2 are zero everywhere, so they score 0 and go first: at
     * ratio 0.6 (3 of 5) c1 keeps maps 1, 3 and 4, with their weights; c2 is untouched.
     */
    @Test
    void aUnitCompressedAloneKeepsItsHighestScoredMaps() {
        ArrayImageDataset data = SyntheticImages.create(1, 32, new Shape(2, 6, 6), 3, 0.2);
        CompressionContext c = ctx(Map.of("batches", "2"), data);
        TaylorStrategy st = (TaylorStrategy) StrategyRegistry.discover().get("taylor-1");
        assertEquals(List.of("c1", "c2"), st.units(net(), c));
        try (Network n = deadMaps(); Network out = st.compressUnit(n, "c1", 0.6, c)) {
            assertEquals(3, ((ConvSpec) out.spec().node("c1")).out());
            assertEquals(4, ((ConvSpec) out.spec().node("c2")).out(), "another unit is untouched");
            float[] before = n.weight("c1.weight").toFloatArray();
            float[] after = out.weight("c1.weight").toFloatArray();
            int per = 2 * 3 * 3;
            int[] kept = {1, 3, 4};
            for (int k = 0; k < kept.length; k++) {
                for (int j = 0; j < per; j++) {
                    assertEquals(before[kept[k] * per + j], after[k * per + j], 0f, "map " + kept[k]);
                }
            }
        }
    }

    /**
     * layerRatios (a budget from waec sensitivity): each listed group is pruned to round(channels x ratio) in
     * steps of channelsPerStep (auto: 5% of the listed channels, at least 1), the others keep their width, and
     * the data-free architecture gives the same widths. c1 at 0.4 keeps 2 of 5 maps in 3 steps of one map.
     */
    @Test
    void layerRatiosPruneEachListedGroupToItsWidthInSteps() {
        ArrayImageDataset data = SyntheticImages.create(1, 32, new Shape(2, 6, 6), 3, 0.2);
        List<String> messages = new java.util.ArrayList<>();
        var log = org.waecompress.spi.train.ProgressListener.messages(messages::add);
        CompressionContext c = new CompressionContext("taylor-1", new MapConfiguration(Map.of("layerRatios",
                "c1:0.4,c2:1", "batches", "1", "stepFineTuneSteps", "0", "fineTuneEpochs", "0")), 3, data,
                new NetworkTrainer(null), TrainSettings.builder().epochs(1).batchSize(16).build(), log, null);
        TaylorStrategy st = (TaylorStrategy) StrategyRegistry.discover().get("taylor-1");
        NetworkSpec planned = st.architecture(net(), c);
        assertEquals(2, ((ConvSpec) planned.node("c1")).out());
        assertEquals(4, ((ConvSpec) planned.node("c2")).out());
        try (Network n = deadMaps(); Network out = st.compress(n, c)) {
            assertEquals(2, ((ConvSpec) out.spec().node("c1")).out());
            assertEquals(4, ((ConvSpec) out.spec().node("c2")).out());
            assertEquals(CostReport.of(planned).totalMacs(), CostReport.of(out.spec()).totalMacs());
            assertEquals(3, messages.stream().filter(x -> x.contains(": step ")).count(), messages.toString());
            assertTrue(messages.get(2).contains("step 3") && messages.get(2).contains("per-group widths"),
                    messages.toString());
        }
    }
}

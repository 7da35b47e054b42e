package org.waecompress.baselines.lowrank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import org.apache.commons.configuration2.MapConfiguration;
import org.junit.jupiter.api.Test;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.data.ArrayImageDataset;
import org.waecompress.spi.data.SyntheticImages;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.ActivationSpec;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.FlattenSpec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.train.NetworkTrainer;
import org.waecompress.spi.train.ProgressEvent;
import org.waecompress.spi.train.ProgressListener;
import org.waecompress.spi.train.TrainSettings;

/** Low-rank's rank rules and its strategy's steps against hand-computed answers. */
class LowRankKnownAnswerTest {

    @Test
    void energyRankIsTheFirstPrefixReachingTheFraction() {
        double[] s = {3, 2, 1};
        // energies 9, 4, 1 of 14
        assertEquals(1, LowRankDecomposer.rankForEnergy(s, 9 / 14.0), "exactly the first component's share");
        assertEquals(2, LowRankDecomposer.rankForEnergy(s, 0.7));
        assertEquals(2, LowRankDecomposer.rankForEnergy(s, 13 / 14.0));
        assertEquals(3, LowRankDecomposer.rankForEnergy(s, 0.99));
        assertEquals(3, LowRankDecomposer.rankForEnergy(s, 1.5), "an unreachable fraction keeps every component");
    }

    @Test
    void layerSelectionFollowsTheLayersSettingAndSparesTheOutputLayer() {
        ConvSpec conv = ConvSpec.of("c", 3, 8, 3, 1, 1, true);
        LinearSpec fc = new LinearSpec("fc", 8, 8, true);
        assertTrue(LowRankDecomposer.eligible(conv, "conv", "c", "out"));
        assertFalse(LowRankDecomposer.eligible(conv, "linear", "c", "out"));
        assertTrue(LowRankDecomposer.eligible(fc, "linear", "fc", "out"));
        assertFalse(LowRankDecomposer.eligible(fc, "conv", "fc", "out"));
        assertFalse(LowRankDecomposer.eligible(fc, "all", "out", "out"), "the output layer");
    }

    /** A wide output layer that a decomposition would shrink: it must stay as it is. */
    @Test
    void theOutputLayerIsNeverDecomposedEvenWhenItWouldSaveMacs() {
        NetworkSpec spec = new NetworkSpec("wide-out", new Shape(1, 8, 8), SequentialSpec.of("",
                ConvSpec.of("c1", 1, 16, 3, 1, 1, true), ActivationSpec.relu("r1"), new FlattenSpec("flat"),
                new LinearSpec("fc1", 16 * 64, 256, true), ActivationSpec.relu("r2"),
                new LinearSpec("out", 256, 200, true)));
        NetworkSpec dec = LowRankDecomposer.architecture(spec, new LowRankSettings(2, 0, "all", 0, "svd", false));
        assertInstanceOf(LinearSpec.class, dec.node("out"));
        assertInstanceOf(SequentialSpec.class, dec.node("fc1"), "fc1 is decomposed");
    }

    @Test
    void theStrategyNamesItsNetworkAndFineTunesOnlyWhenAsked() {
        ArrayImageDataset data = SyntheticImages.create(2, 20, new Shape(3, 8, 8), 5, 0.2);
        List<String> tasks = new java.util.ArrayList<>();
        ProgressListener record = new ProgressListener() {
            @Override
            public void progress(ProgressEvent event) {
                if (!tasks.contains(event.task())) {
                    tasks.add(event.task());
                }
            }

            @Override
            public void message(String text) {}
        };
        LowRankStrategy strategy = new LowRankStrategy();
        assertFalse(strategy.description().isBlank());
        assertFalse(strategy.settings().isEmpty());
        TrainSettings ft = TrainSettings.builder().epochs(1).batchSize(10).learningRate(0.01).build();
        try (Network base = Network.random(LowRankTest.spec(), 5, 3)) {
            for (String epochs : new String[] {"0", "1"}) {
                tasks.clear();
                CompressionContext ctx = new CompressionContext("lowrank-x", new MapConfiguration(Map.of(
                        "fineTuneEpochs", epochs, "method", "svd")), 1, data, new NetworkTrainer(record), ft, record,
                        null);
                assertEquals("lowrank-x-lr-net", strategy.architecture(base.spec(), ctx).name());
                try (Network out = strategy.compress(base, ctx)) {
                    assertEquals(CostReport.of(strategy.architecture(base.spec(), ctx)).totalMacs(),
                            CostReport.of(out.spec()).totalMacs());
                    assertNotEquals(CostReport.of(base.spec()).totalMacs(), CostReport.of(out.spec()).totalMacs());
                }
                assertEquals(epochs.equals("0") ? List.of() : List.of("lowrank-x fine-tune epoch 1/1"), tasks);
            }
        }
    }
}

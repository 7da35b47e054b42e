package org.waecompress.spi.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.waecompress.spi.TestSpecs;
import org.waecompress.spi.data.ArrayImageDataset;
import org.waecompress.spi.data.SyntheticImages;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SequentialSpec;

class NetworkTrainerTest {

    @Test
    void learnsSyntheticClassesAndLeavesInputUnchanged() {
        NetworkSpec spec = TestSpecs.smallCnn(1, 12, 6);
        ArrayImageDataset train = SyntheticImages.create(1, 1200, new Shape(1, 12, 12), 6, 0.1);
        ArrayImageDataset test = SyntheticImages.create(2, 300, new Shape(1, 12, 12), 6, 0.1);
        List<ProgressEvent> events = new ArrayList<>();
        NetworkTrainer trainer = new NetworkTrainer(new ProgressListener() {
            @Override
            public void progress(ProgressEvent event) {
                events.add(event);
            }

            @Override
            public void message(String text) {}
        });
        TrainSettings s = TrainSettings.builder().epochs(3).batchSize(32).learningRate(0.05).seed(5).build();
        try (Network net = Network.random(spec, 6, 5)) {
            float before = net.weight("c1.weight").toFloatArray()[0];
            Accuracy chance = new Evaluator(null).evaluate("eval", net, test, 100);
            TrainResult r = trainer.train("test", net, train, s);
            try (Network trained = r.network()) {
                assertEquals(before, net.weight("c1.weight").toFloatArray()[0], 0f, "input network changed");
                Accuracy acc = new Evaluator(null).evaluate("eval", trained, test, 100);
                assertTrue(acc.top1Error() < 0.1, "top-1 error " + acc.top1Error() + " (untrained "
                        + chance.top1Error() + ")");
                assertEquals(0.0, acc.top5Error(), 0.05);
                assertEquals(3, r.epochs().size());
                assertTrue(r.epochs().get(2).loss() < r.epochs().get(0).loss());
                assertTrue(events.stream().anyMatch(e -> !e.finished() && e.etaSeconds() >= 0),
                        "no progress event with an ETA before the end");
                assertTrue(events.stream().anyMatch(ProgressEvent::finished), "no final progress event");
            }
        }
    }

    @Test
    void frozenParametersDoNotMove() {
        NetworkSpec spec = TestSpecs.smallCnn(1, 12, 3);
        ArrayImageDataset train = SyntheticImages.create(1, 64, new Shape(1, 12, 12), 3, 0.1);
        TrainSettings s = TrainSettings.builder().epochs(1).batchSize(16).seed(1).build();
        try (Network net = Network.random(spec, 3, 5);
                Network out = new NetworkTrainer(null).train("freeze", net, train, TrainLoss.crossEntropy(), s,
                        name -> name.startsWith("fc")).network()) {
            NDArray a = net.weight("c1.weight");
            NDArray b = out.weight("c1.weight");
            assertEquals(0f, a.sub(b).abs().max().getFloat(), 0f);
            assertTrue(net.weight("fc.weight").sub(out.weight("fc.weight")).abs().max().getFloat() > 0);
            // running statistics still follow the data in training mode
            assertTrue(net.weight("b1.running_mean").sub(out.weight("b1.running_mean")).abs().max().getFloat() > 0);
        }
    }

    @Test
    void rateFactorsScaleEachParametersStep() {
        NetworkSpec spec = TestSpecs.smallCnn(1, 12, 3);
        ArrayImageDataset train = SyntheticImages.create(1, 64, new Shape(1, 12, 12), 3, 0.1);
        TrainSettings s = TrainSettings.builder().epochs(1).batchSize(16).maxBatchesPerEpoch(1).momentum(0)
                .weightDecay(0).learningRate(0.1).seed(1).build();
        NetworkTrainer trainer = new NetworkTrainer(null);
        try (Network net = Network.random(spec, 3, 5);
                Network full = trainer.trainWithRateFactors("full", net, train, TrainLoss.crossEntropy(), s, n -> 1.0)
                        .network();
                Network mixed = trainer.trainWithRateFactors("mixed", net, train, TrainLoss.crossEntropy(), s,
                        n -> n.startsWith("fc") ? 0.25 : n.startsWith("c1") ? 0.0 : 1.0).network()) {
            // one plain SGD step from the same weights and batch: the step is the rate times the factor
            // times the same gradient
            NDArray fullStep = full.weight("fc.weight").sub(net.weight("fc.weight"));
            NDArray mixedStep = mixed.weight("fc.weight").sub(net.weight("fc.weight"));
            float size = fullStep.abs().max().getFloat();
            assertTrue(size > 1e-4f, "the full-rate step is " + size);
            assertEquals(0f, mixedStep.sub(fullStep.mul(0.25f)).abs().max().getFloat(), size * 1e-4f);
            assertEquals(0f, mixed.weight("c1.weight").sub(net.weight("c1.weight")).abs().max().getFloat(), 0f);
            assertEquals(0f, mixed.weight("c2.weight").sub(full.weight("c2.weight")).abs().max().getFloat(),
                    1e-6f);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                    trainer.trainWithRateFactors(
                    "bad", net, train, TrainLoss.crossEntropy(), s, n -> n.startsWith("fc") ? -1.0 : 1.0));
            assertTrue(e.getMessage().startsWith("bad: learning-rate factor of fc."), e.getMessage());
        }
    }

    @Test
    void nanLossStopsWithEpochAndBatch() {
        NetworkSpec spec = TestSpecs.smallCnn(1, 12, 3);
        ArrayImageDataset train = SyntheticImages.create(1, 64, new Shape(1, 12, 12), 3, 0.1);
        TrainSettings s = TrainSettings.builder().epochs(2).batchSize(16).seed(1).build();
        int[] calls = {0};
        TrainLoss exploding = (out, x, y, terms) -> {
            calls[0]++;
            NDArray ce = TrainLoss.crossEntropy(out.get(0), y);
            return calls[0] == 6 ? ce.mul(Float.NaN) : ce;
        };
        try (Network net = Network.random(spec, 3, 5)) {
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                    () -> new NetworkTrainer(null).train("nan-test", net, train, exploding, s, n -> true));
            assertTrue(e.getMessage().contains("epoch 2, batch 2"), e.getMessage());
            assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        }
    }

    @Test
    void badSettingsNameTheKey() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> TrainSettings.builder().epochs(0).build());
        assertEquals("epochs = 0: must be >= 1", e.getMessage());
        assertThrows(InvalidSettingException.class, () -> TrainSettings.builder().momentum(1.0).build());
    }

    @Test
    void schedules() {
        LearningRateSchedule cos = TrainSettings.builder().epochs(2).learningRate(0.1).build().schedule(10);
        assertEquals(0.1, cos.valueAt(0), 1e-9);
        assertEquals(0.05, cos.valueAt(10), 1e-9);
        assertEquals(0.5 * 0.1 * (1 + Math.cos(Math.PI * 15 / 20)), cos.valueAt(15), 1e-15);
        assertEquals(0, cos.valueAt(25), 1e-15);
        LearningRateSchedule step = TrainSettings.builder().epochs(4).learningRate(0.1).step(0.1, 2, 3).build()
                .schedule(10);
        assertEquals(0.1, step.valueAt(19), 1e-9);
        assertEquals(0.01, step.valueAt(20), 1e-9);
        assertEquals(0.001, step.valueAt(35), 1e-9);
        LearningRateSchedule warm = TrainSettings.builder().epochs(2).learningRate(0.1).warmupEpochs(1).build()
                .schedule(10);
        assertEquals(0.1 * 0.5 * (1 + Math.cos(Math.PI * 4 / 20)) * 5 / 10.0, warm.valueAt(4), 1e-15);
        assertEquals(cos.valueAt(10), warm.valueAt(10), 0);
        // as a DJL tracker: the same rate, rounded to float
        for (int i = 0; i < 20; i++) {
            assertEquals((float) cos.valueAt(i), cos.getNewValue(i), 0f);
        }
    }

    @Test
    void warnsWhenABlockLeavesArraysInTheNetworksManager() {
        NetworkSpec clean = TestSpecs.smallCnn(1, 12, 3);
        NetworkSpec leaky = new NetworkSpec("leaky", clean.inputShape(),
                SequentialSpec.of("", new TestLeakNode("leak"), clean.root()));
        ArrayImageDataset train = SyntheticImages.create(1, 64, new Shape(1, 12, 12), 3, 0.1);
        TrainSettings s = TrainSettings.builder().epochs(2).batchSize(16).seed(1).build();
        for (NetworkSpec spec : List.of(clean, leaky)) {
            List<String> messages = new ArrayList<>();
            NetworkTrainer trainer = new NetworkTrainer(new ProgressListener() {
                @Override
                public void progress(ProgressEvent event) {}

                @Override
                public void message(String text) {
                    messages.add(text);
                }
            });
            try (Network net = Network.random(spec, 3, 5); Network out = trainer.train("t", net, train, s).network()) {
                List<String> warnings = messages.stream().filter(m -> m.contains("warning")).toList();
                if (spec == clean) {
                    assertEquals(List.of(), warnings);
                } else {
                    assertEquals(1, warnings.size(), messages.toString());
                    assertTrue(warnings.get(0).startsWith("t: warning: the network's manager gained 3 arrays in "
                            + "epoch 1"), warnings.get(0));
                }
            }
        }
    }
}

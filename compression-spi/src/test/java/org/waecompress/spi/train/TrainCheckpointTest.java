package org.waecompress.spi.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.waecompress.spi.TestSpecs;
import org.waecompress.spi.data.ArrayImageDataset;
import org.waecompress.spi.data.SyntheticImages;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.NetworkSpec;

class TrainCheckpointTest {

    private static final ArrayImageDataset DATA = SyntheticImages.create(3, 96, new Shape(3, 16, 16), 5, 0.2);

    @ParameterizedTest
    @EnumSource(TrainSettings.OptimizerKind.class)
    void updaterStepsLikeDjlsOptimizerBitForBit(TrainSettings.OptimizerKind kind) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray ours = m.randomNormal(new Shape(4, 5));
            NDArray theirs = ours.duplicate();
            Optimizer djl = kind == TrainSettings.OptimizerKind.ADAM
                    ? Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).optWeightDecays(1e-3f).build()
                    : Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.05f)).optMomentum(0.9f)
                            .optWeightDecays(1e-3f).build();
            ParameterUpdater updater = new ParameterUpdater(kind, 0.9f, 1e-3f);
            float rate = kind == TrainSettings.OptimizerKind.ADAM ? 0.01f : 0.05f;
            for (int step = 1; step <= 5; step++) {
                NDArray grad = m.randomNormal(new Shape(4, 5));
                djl.update("w", theirs, grad);
                updater.update("w", ours, grad, rate, step, m);
            }
            assertArrayEquals(theirs.toFloatArray(), ours.toFloatArray(), 0f);
            assertTrue(ours.sub(m.zeros(new Shape(4, 5))).abs().sum().getFloat() > 0);
            assertEquals(updater.statesPerParameter(), updater.state().get("w").length);
        }
    }

    @ParameterizedTest
    @EnumSource(TrainSettings.OptimizerKind.class)
    void anInterruptedCallResumesToTheNetworkAnUninterruptedCallGives(TrainSettings.OptimizerKind kind,
            @TempDir Path dir) {
        // dropout, batch-norm statistics, momentum or Adam state and the shuffled order all cross epochs
        NetworkSpec spec = TestSpecs.allTypes();
        TrainSettings s = TrainSettings.builder().epochs(3).batchSize(16).maxBatchesPerEpoch(4).learningRate(
                kind == TrainSettings.OptimizerKind.ADAM ? 0.002 : 0.05).optimizer(kind).seed(7).build();
        try (Network start = Network.random(spec, 5, 11);
                Network straight = new NetworkTrainer(null).train("fit", start, DATA, s).network()) {
            List<String> messages = new ArrayList<>();
            NetworkTrainer stopsAfterTwo = new NetworkTrainer(listener(messages, "fit epoch 2/3:"))
                    .withCheckpoints(dir, "scope", Duration.ZERO);
            assertThrows(Interrupted.class, () -> stopsAfterTwo.train("fit", start, DATA, s));
            assertEquals(1, checkpoints(dir).size());

            messages.clear();
            NetworkTrainer again = new NetworkTrainer(listener(messages, null)).withCheckpoints(dir, "scope",
                    Duration.ZERO);
            TrainResult resumed = again.train("fit", start, DATA, s);
            try (Network net = resumed.network()) {
                assertTrue(messages.stream().anyMatch(t -> t.startsWith("fit: resuming at epoch 3/3 from ")),
                        messages.toString());
                assertFalse(messages.stream().anyMatch(t -> t.startsWith("fit epoch 1/3:")), messages.toString());
                assertEquals(3, resumed.epochs().size());
                assertSameWeights(straight, net);
            }

            messages.clear();
            try (Network restored = again.train("fit", start, DATA, s).network()) {
                assertEquals(List.of("fit: all 3 epochs restored from " + checkpoints(dir).get(0)), messages);
                assertSameWeights(straight, restored);
            }

            messages.clear();
            NetworkTrainer otherScope = new NetworkTrainer(listener(messages, null)).withCheckpoints(dir, "other",
                    Duration.ZERO);
            otherScope.train("fit", start, DATA, s).network().close();
            assertTrue(messages.stream().anyMatch(t -> t.startsWith("fit epoch 1/3:")), messages.toString());
            assertEquals(2, checkpoints(dir).size());
        }
    }

    @Test
    void theIntervalIsTheTrainersNotOneCalls(@TempDir Path dir) {
        // a row of short calls: each far shorter than the interval, together longer than it (a call that
        // trains a tenth of the interval or longer saves its last epoch); the clock moves by hand, 1 s a read
        TrainSettings s = TrainSettings.builder().epochs(1).batchSize(16).maxBatchesPerEpoch(1).seed(7).build();
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
        try (Network start = Network.random(TestSpecs.smallCnn(3, 16, 5), 5, 11)) {
            NetworkTrainer row = new NetworkTrainer(null).withClock(now::get)
                    .withCheckpoints(dir, "row", Duration.ofSeconds(100));
            row.train("first", start, DATA, s).network().close();
            assertEquals(0, checkpoints(dir).size(), "the first short call saved before the interval passed");
            now.addAndGet(Duration.ofSeconds(101).toNanos());
            row.train("second", start, DATA, s).network().close();
            assertEquals(1, checkpoints(dir).size(), "the row's interval passed and its next epoch was not saved");
            row.train("third", start, DATA, s).network().close();
            assertEquals(1, checkpoints(dir).size(), "saved again before the interval passed since the last save");
            // a single call of a tenth of the interval saves its last epoch even though the row's has not passed
            // (each read of this clock is 150 s later: the call lasts at least 150 s of a 1,000 s interval)
            NetworkTrainer slow = new NetworkTrainer(null).withClock(() ->
                    now.addAndGet(Duration.ofSeconds(150).toNanos()))
                    .withCheckpoints(dir, "slow", Duration.ofSeconds(1000));
            slow.train("long", start, DATA, s).network().close();
            assertEquals(2, checkpoints(dir).size(), "a call of a tenth of the interval was not saved");
        }
    }

    @Test
    void aDamagedCheckpointNamesItsFileAndTheWayOut(@TempDir Path dir) throws IOException {
        TrainSettings s = TrainSettings.builder().epochs(2).batchSize(16).maxBatchesPerEpoch(2).seed(7).build();
        NetworkTrainer trainer = new NetworkTrainer(null).withCheckpoints(dir, "", Duration.ZERO);
        try (Network start = Network.random(TestSpecs.smallCnn(3, 16, 5), 5, 11)) {
            trainer.train("fit", start, DATA, s).network().close();
            Path file = checkpoints(dir).get(0);
            byte[] whole = Files.readAllBytes(file);
            Files.write(file, java.util.Arrays.copyOf(whole, whole.length / 2));
            CompressionException e = assertThrows(CompressionException.class, () -> trainer.train("fit", start, DATA,
                    s));
            assertTrue(e.getMessage().startsWith(file + ": cannot resume training from this checkpoint ("),
                    e.getMessage());
            assertTrue(e.getMessage().endsWith("delete it to train this step from the start"), e.getMessage());
            Files.writeString(file, "not a checkpoint");
            e = assertThrows(CompressionException.class, () -> trainer.train("fit", start, DATA, s));
            assertTrue(e.getMessage().contains("cannot resume"), e.getMessage());
        }
    }

    private static void assertSameWeights(Network expected, Network actual) {
        for (Map.Entry<String, NDArray> e : expected.weights().entrySet()) {
            assertArrayEquals(e.getValue().toFloatArray(), actual.weight(e.getKey()).toFloatArray(), 0f, e.getKey());
        }
    }

    private static List<Path> checkpoints(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".ckpt")).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stands for a JVM killed after an epoch's checkpoint was written. */
    private static final class Interrupted extends RuntimeException {}

    private static ProgressListener listener(List<String> messages, String stopAfter) {
        return new ProgressListener() {
            @Override
            public void progress(ProgressEvent event) {}

            @Override
            public void message(String text) {
                messages.add(text);
                if (stopAfter != null && text.startsWith(stopAfter)) {
                    throw new Interrupted();
                }
            }
        };
    }
}

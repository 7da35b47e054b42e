package org.waecompress.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.configuration2.MapConfiguration;
import org.junit.jupiter.api.Test;
import org.waecompress.spi.data.ArrayImageDataset;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.data.SyntheticImages;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.setting.Setting;
import org.waecompress.spi.train.NetworkTrainer;
import org.waecompress.spi.train.TrainSettings;

class CompressionContextTest {

    private static CompressionContext ctx(Map<String, Object> settings) {
        return new CompressionContext("x", new MapConfiguration(settings), 1, null, new NetworkTrainer(null),
                TrainSettings.builder().epochs(1).learningRate(0.05).build(), null, null);
    }

    private static final Setting<Double> FACTOR = CompressionContext.fineTuneRateFactor(0.1, "test");

    @Test
    void theFineTuneRateIsTheRunsTimesTheStrategysFactor() {
        assertEquals(0.005, ctx(Map.of()).fineTuneRate(FACTOR), 1e-12, "the paper's default factor");
        assertEquals(0.025, ctx(Map.of("fineTuneRateFactor", "0.5")).fineTuneRate(FACTOR), 1e-12, "the user's");
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> ctx(Map.of("fineTuneRateFactor", "0")).fineTuneRate(FACTOR));
        assertEquals("strategy.x.fineTuneRateFactor = 0: must be a number in (0, 10]", e.getMessage());
    }

    @Test
    void aSettingIsReadFromTheContextOrItsDefault() {
        Setting<Integer> steps = Setting.integer("steps", 5, "steps").atLeast(0);
        Setting<Integer> epochs = Setting.integer("epochs", "the run's", "epochs").atLeast(1);
        assertEquals(5, ctx(Map.of()).get(steps));
        assertEquals(7, ctx(Map.of("steps", " 7 ")).get(steps));
        assertEquals(3, ctx(Map.of()).get(epochs, 3), "a run-dependent default comes from the caller");
        assertEquals(2, ctx(Map.of("epochs", "2")).get(epochs, 3));
        assertThrows(IllegalStateException.class, () -> ctx(Map.of()).get(epochs),
                "a run-dependent default cannot be read without the run's value");
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> ctx(Map.of("steps", "-1")).get(steps));
        assertEquals("strategy.x.steps = -1: must be an integer >= 0", e.getMessage());
    }

    /** Records the images of every batch read. */
    private record Recording(ImageDataset data, List<List<Integer>> batches) implements ImageDataset {
        @Override
        public String name() {
            return data.name();
        }

        @Override
        public int size() {
            return data.size();
        }

        @Override
        public Shape sampleShape() {
            return data.sampleShape();
        }

        @Override
        public int numClasses() {
            return data.numClasses();
        }

        @Override
        public List<String> classNames() {
            return data.classNames();
        }

        @Override
        public int label(int index) {
            return data.label(index);
        }

        @Override
        public void copyImage(int index, float[] dst, int offset) {
            data.copyImage(index, dst, offset);
        }

        @Override
        public NDList batch(NDManager manager, int[] indices) {
            List<Integer> b = new ArrayList<>();
            for (int i : indices) {
                b.add(i);
            }
            batches.add(b);
            return data.batch(manager, indices);
        }
    }

    /**
     * Issue 29, item 1: short fine-tunes between pruning steps (ThiNet's per layer, Taylor's per step) each
     * read batches of their own; before, every call was "epoch 1" shuffled with the run's seed, so every
     * step trained on the same first batches.
     */
    @Test
    void successiveFineTuneStepsReadDifferentBatches() {
        ArrayImageDataset images = SyntheticImages.create(1, 256, new Shape(1, 12, 12), 3, 0.1);
        Recording data = new Recording(images, new ArrayList<>());
        CompressionContext c = new CompressionContext("x", new MapConfiguration(Map.of()), 42, data,
                new NetworkTrainer(null), TrainSettings.builder().epochs(1).batchSize(16).seed(42).build(), null,
                null);
        List<Set<Integer>> seen = new ArrayList<>();
        try (Network net = Network.random(TestSpecs.smallCnn(1, 12, 3), 3, 5)) {
            for (String step : List.of("x step 1", "x step 2", "x step 3")) {
                data.batches().clear();
                c.fineTuneStep(step, net, 1, 2, 0.01).close();
                Set<Integer> read = new HashSet<>();
                data.batches().forEach(read::addAll);
                assertEquals(32, read.size(), "two batches of 16 distinct images");
                seen.add(read);
            }
            assertNotEquals(seen.get(0), seen.get(1), "step 2 replays step 1's batches");
            assertNotEquals(seen.get(1), seen.get(2), "step 3 replays step 2's batches");
            // reproducible: the same step of the same run reads the same images
            data.batches().clear();
            c.fineTuneStep("x step 2", net, 1, 2, 0.01).close();
            Set<Integer> again = new HashSet<>();
            data.batches().forEach(again::addAll);
            assertEquals(seen.get(1), again);
        }
        assertEquals(CompressionContext.stepSeed(42, "a"), CompressionContext.stepSeed(42, "a"));
        assertNotEquals(CompressionContext.stepSeed(42, "a"), CompressionContext.stepSeed(43, "a"));
        assertTrue(CompressionContext.stepSeed(-7, "thinet fine-tune after features.3") >= 0);
    }
}

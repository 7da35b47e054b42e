package org.waecompress.spi.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.waecompress.spi.TestSpecs;
import org.waecompress.spi.data.ArrayImageDataset;
import org.waecompress.spi.data.SyntheticImages;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.network.Network;

class AugmentationTest {

    private static final int N = 64;
    private static final int C = 2;
    private static final int H = 5;
    private static final int W = 7;

    /** Distinct values everywhere, so every pixel's source can be told apart. */
    private static float[] batch() {
        float[] p = new float[N * C * H * W];
        for (int i = 0; i < p.length; i++) {
            p[i] = i;
        }
        return p;
    }

    /** The reference: image i translated by (dy, dx) after an optional mirror, border pixels repeated. */
    private static float[] expected(float[] in, int i, int dy, int dx, boolean mirror) {
        float[] out = new float[C * H * W];
        for (int c = 0; c < C; c++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    int sy = Math.min(H - 1, Math.max(0, y - dy));
                    int tx = mirror ? W - 1 - x : x;
                    int sx = Math.min(W - 1, Math.max(0, tx - dx));
                    out[(c * H + y) * W + x] = in[((i * C + c) * H + sy) * W + sx];
                }
            }
        }
        return out;
    }

    /** Returns the (dy, dx, mirror) that produced image i, or null if none in range did. */
    private static String explain(float[] in, float[] out, int i, int shift, boolean flip) {
        float[] got = Arrays.copyOfRange(out, i * C * H * W, (i + 1) * C * H * W);
        for (int dy = -shift; dy <= shift; dy++) {
            for (int dx = -shift; dx <= shift; dx++) {
                for (boolean m : flip ? new boolean[] {false, true} : new boolean[] {false}) {
                    if (Arrays.equals(got, expected(in, i, dy, dx, m))) {
                        return dy + "," + dx + "," + m;
                    }
                }
            }
        }
        return null;
    }

    @Test
    void noneLeavesImagesAlone() {
        float[] p = batch();
        assertFalse(Augmentation.NONE.active());
        Augmentation.NONE.apply(p, N, C, H, W, Augmentation.random(1, 1, 1));
        assertArrayEquals(batch(), p);
        assertEquals("none", Augmentation.NONE.toString());
    }

    @Test
    void everyImageIsOneShiftAndMirrorOfItselfAndTheDrawsVary() {
        Augmentation a = new Augmentation(2, true);
        float[] in = batch();
        float[] out = batch();
        a.apply(out, N, C, H, W, Augmentation.random(7, 3, 11));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < N; i++) {
            String how = explain(in, out, i, 2, true);
            assertTrue(how != null, "image " + i + " is not a shift of at most 2 px (mirrored or not) of its input");
            seen.add(how);
        }
        // 64 images, 50 possible transforms: a fixed or biased draw would repeat far more
        assertTrue(seen.size() >= 20, "only " + seen.size() + " distinct transforms: " + seen);
        assertTrue(seen.stream().anyMatch(s -> s.endsWith("true")) && seen.stream().anyMatch(s -> s.endsWith("false")),
                "mirror never or always drawn");
        assertTrue(seen.stream().anyMatch(s -> s.startsWith("-2,")) && seen.stream().anyMatch(s -> s.startsWith("2,")),
                "the extreme shifts are never drawn: " + seen);
    }

    @Test
    void flipOnlyMirrorsAndShiftOnlyTranslates() {
        float[] in = batch();
        float[] flipped = batch();
        new Augmentation(0, true).apply(flipped, N, C, H, W, Augmentation.random(1, 1, 1));
        float[] shifted = batch();
        new Augmentation(1, false).apply(shifted, N, C, H, W, Augmentation.random(1, 1, 1));
        for (int i = 0; i < N; i++) {
            String f = explain(in, flipped, i, 0, true);
            assertTrue(f != null && f.startsWith("0,0,"), "image " + i + ": " + f);
            String s = explain(in, shifted, i, 1, false);
            assertTrue(s != null && s.endsWith("false"), "image " + i + ": " + s);
        }
    }

    @Test
    void drawsDependOnSeedEpochAndBatchOnly() {
        Augmentation a = new Augmentation(3, true);
        float[] x = batch();
        float[] y = batch();
        float[] z = batch();
        a.apply(x, N, C, H, W, Augmentation.random(5, 2, 9));
        a.apply(y, N, C, H, W, Augmentation.random(5, 2, 9));
        a.apply(z, N, C, H, W, Augmentation.random(5, 2, 10));
        assertArrayEquals(x, y);
        assertFalse(Arrays.equals(x, z), "the next batch got the same draws");
    }

    @Test
    void badShiftsNameTheSetting() {
        InvalidSettingException neg = assertThrows(InvalidSettingException.class, () -> new Augmentation(-1, false));
        assertEquals("augment.shift = -1: must be >= 0 (0 = no translation)", neg.getMessage());
        InvalidSettingException big = assertThrows(InvalidSettingException.class,
                () -> new Augmentation(5, false).apply(batch(), N, C, H, W, Augmentation.random(1, 1, 1)));
        assertEquals("augment.shift = 5: must be smaller than the images (5x7); use a few pixels, such as 2 or 4",
                big.getMessage());
    }

    @Test
    void theTrainerFeedsTheLossAugmentedImagesAndEvaluationSeesThemPlain() {
        ArrayImageDataset data = SyntheticImages.create(3, 48, new Shape(1, 12, 12), 3, 0.1);
        List<float[]> seenPlain = new ArrayList<>();
        List<float[]> seenAugmented = new ArrayList<>();
        for (Augmentation a : new Augmentation[] {Augmentation.NONE, new Augmentation(2, true)}) {
            List<float[]> seen = a.active() ? seenAugmented : seenPlain;
            TrainLoss recording = (out, x, y, terms) -> {
                seen.add(x.toFloatArray());
                return TrainLoss.crossEntropy().compute(out, x, y, terms);
            };
            TrainSettings s = TrainSettings.builder().epochs(1).batchSize(16).seed(4).augmentation(a).build();
            try (Network net = Network.random(TestSpecs.smallCnn(1, 12, 3), 3, 5);
                    Network out = new NetworkTrainer(null).train("aug", net, data, recording, s, n -> true)
                            .network()) {
                assertEquals(3, seen.size());
            }
        }
        for (int b = 0; b < 3; b++) {
            // the plain run saw the data set's own batches; the augmented run saw the same images
            // moved, exactly as Augmentation draws them for (seed 4, epoch 1, batch b+1)
            float[] expect = seenPlain.get(b).clone();
            assertEquals(16 * 144, expect.length);
            new Augmentation(2, true).apply(expect, 16, 1, 12, 12, Augmentation.random(4, 1, b + 1));
            assertArrayEquals(expect, seenAugmented.get(b), 0f, "batch " + (b + 1));
            assertFalse(Arrays.equals(seenPlain.get(b), seenAugmented.get(b)), "batch " + (b + 1) + " unchanged");
        }
    }
}

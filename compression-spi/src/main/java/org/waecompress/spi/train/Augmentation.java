package org.waecompress.spi.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.waecompress.spi.error.DataException;
import org.waecompress.spi.error.InvalidSettingException;

/**
 * Training-time data augmentation: a random translation of up to {@code shift} pixels in each
 * direction and, optionally, a random horizontal flip, drawn independently for every image of
 * every training batch.
 *
 * <p>This is the small-image form of the random crop and mirror that VGG and ResNet were trained with
 * (Caffe's {@code crop_size} and {@code mirror}; the WAE paper does not say what it used): a crop of
 * the image padded by {@code shift} pixels. Pixels shifted in from outside are copies of the nearest border pixel, not
 * zeros,
 * so the result does not depend on how the images were normalised (for Fashion-MNIST padded to
 * 32x32 the border is background). Evaluation never augments.
 *
 * <p>The draws come from a generator seeded by the training seed, the epoch and the batch, so a run
 * is reproducible and every strategy that trains on the same batches sees the same augmentation.
 *
 * @param shift the largest translation in pixels, per axis (0 for none)
 * @param flip whether images are mirrored left-right with probability one half
 */
public record Augmentation(int shift, boolean flip) {

    /** No augmentation. */
    public static final Augmentation NONE = new Augmentation(0, false);

    /** Validates the values. */
    public Augmentation {
        InvalidSettingException.check(shift >= 0, "augment.shift", shift, "must be >= 0 (0 = no translation)");
    }

    /**
     * Returns whether this changes images at all.
     *
     * @return true if there is a shift or a flip
     */
    public boolean active() {
        return shift > 0 || flip;
    }

    /**
     * Augments a batch in place.
     *
     * @param pixels {@code n * channels * height * width} values, image-major, then channel, then rows
     * @param n the number of images
     * @param channels channels per image
     * @param height image height
     * @param width image width
     * @param random the generator for the draws
     * @throws InvalidSettingException if the shift is not smaller than the image
     */
    public void apply(float[] pixels, int n, int channels, int height, int width, SplittableRandom random) {
        if (!active()) {
            return;
        }
        checkFits(height, width, "augment.shift");
        int plane = height * width;
        float[] src = new float[plane];
        for (int i = 0; i < n; i++) {
            int dy = shift == 0 ? 0 : random.nextInt(2 * shift + 1) - shift;
            int dx = shift == 0 ? 0 : random.nextInt(2 * shift + 1) - shift;
            boolean mirror = flip && random.nextBoolean();
            if (dy == 0 && dx == 0 && !mirror) {
                continue;
            }
            for (int c = 0; c < channels; c++) {
                int base = (i * channels + c) * plane;
                System.arraycopy(pixels, base, src, 0, plane);
                for (int y = 0; y < height; y++) {
                    int sy = clamp(y - dy, height);
                    int row = base + y * width;
                    for (int x = 0; x < width; x++) {
                        int tx = mirror ? width - 1 - x : x;
                        pixels[row + x] = src[sy * width + clamp(tx - dx, width)];
                    }
                }
            }
        }
    }

    /**
     * Checks that the shift is smaller than the images.
     *
     * @param height image height
     * @param width image width
     * @param key the setting's key to name in the error
     * @throws InvalidSettingException if the shift is as large as the images
     */
    public void checkFits(long height, long width, String key) {
        InvalidSettingException.check(shift < Math.min(height, width), key, shift, "must be smaller than the images ("
                + height + "x" + width + "); use a few pixels, such as 2 or 4");
    }

    /**
     * Returns the generator for one training step.
     *
     * @param seed the training seed
     * @param epoch the epoch, from 1
     * @param batch the batch within the epoch, from 1
     * @return a generator that depends only on the three values
     */
    public static SplittableRandom random(long seed, int epoch, int batch) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch * 1_000_003L + batch);
    }

    /**
     * Returns a batch augmented in its own manager, or the batch itself when nothing is to be done; the
     * random draws are those of (seed, epoch, batch), so a resumed epoch sees the same images.
     *
     * @param x the batch {@code (N, C, H, W)}
     * @param seed the training seed
     * @param epoch the epoch (1-based)
     * @param batch the batch within the epoch (1-based)
     * @return the augmented batch
     * @throws DataException if the batch is not a batch of images
     */
    public NDArray applyTo(NDArray x, long seed, int epoch, int batch) {
        if (!active()) {
            return x;
        }
        Shape s = x.getShape();
        if (s.dimension() != 4) {
            throw new DataException("augmentation needs image batches (N, C, H, W), got " + s);
        }
        float[] pixels = x.toFloatArray();
        apply(pixels, (int) s.get(0), (int) s.get(1), (int) s.get(2), (int) s.get(3), random(seed, epoch, batch));
        return x.getManager().create(FloatBuffer.wrap(pixels), s);
    }

    private static int clamp(int v, int size) {
        return v < 0 ? 0 : (v >= size ? size - 1 : v);
    }

    @Override
    public String toString() {
        if (!active()) {
            return "none";
        }
        String s = shift > 0 ? "shift " + shift + " px" : "";
        return flip ? (s.isEmpty() ? "flip" : s + " + flip") : s;
    }
}

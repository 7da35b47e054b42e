package org.waecompress.spi.data;

import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded synthetic image classification data for tests: each class has its own pattern (an
 * oriented sinusoidal grating of a class-specific frequency and angle, plus a class-specific
 * bright square), and each sample adds a random phase, a random shift of the square and Gaussian
 * noise. A small CNN learns it in a few epochs; the same seed always gives the same images.
 */
public final class SyntheticImages {

    private SyntheticImages() {}

    /**
     * Generates a data set.
     *
     * @param seed the seed
     * @param count the number of images
     * @param shape the image shape {@code (C, H, W)}
     * @param classes the number of classes
     * @param noise the standard deviation of the added noise (0.1 is mild)
     * @return the data set
     */
    public static ArrayImageDataset create(long seed, int count, Shape shape, int classes, double noise) {
        int c = (int) shape.get(0);
        int h = (int) shape.get(1);
        int w = (int) shape.get(2);
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] pixels = new float[count * c * h * w];
        int[] labels = new int[count];
        for (int n = 0; n < count; n++) {
            int label = n % classes;
            labels[n] = label;
            double angle = Math.PI * label / classes;
            double freq = 2 * Math.PI * (1.5 + (label % 3)) / Math.max(h, w);
            double phase = rnd.nextDouble() * 2 * Math.PI;
            int sq = Math.max(2, h / 5);
            int sy = (label * 7 % Math.max(1, h - sq)) + rnd.nextInt(3) - 1;
            int sx = (label * 5 % Math.max(1, w - sq)) + rnd.nextInt(3) - 1;
            for (int ch = 0; ch < c; ch++) {
                double gain = 1.0 - 0.25 * ((ch + label) % 3);
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        double t = (x * Math.cos(angle) + y * Math.sin(angle)) * freq + phase;
                        double v = 0.5 + 0.35 * gain * Math.sin(t);
                        if (y >= sy && y < sy + sq && x >= sx && x < sx + sq) {
                            v += 0.4;
                        }
                        v += noise * rnd.nextDouble(-1.7, 1.7);
                        pixels[((n * c + ch) * h + y) * w + x] = (float) v;
                    }
                }
            }
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < classes; i++) {
            names.add("class" + i);
        }
        return new ArrayImageDataset("synthetic(seed=" + seed + ", n=" + count + ")", pixels, labels, shape, names);
    }
}

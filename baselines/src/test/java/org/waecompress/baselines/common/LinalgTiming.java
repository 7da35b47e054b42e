package org.waecompress.baselines.common;

import java.util.Locale;
import java.util.Random;

/**
 * Times the SVD of VGG16's classifier-sized matrices with EJML ({@link Linalg}) and with the Jacobi
 * rotations it replaced ({@link JacobiReference}), one run each, in this JVM, on random weights (the
 * time does not depend on the values). Not a test: run it by hand,
 * {@code java -cp ... org.waecompress.baselines.common.LinalgTiming [ROWSxCOLS ...] [--jacobi-limit N]}.
 */
public final class LinalgTiming {

    private LinalgTiming() {}

    /**
     * Runs the timing.
     *
     * @param args matrix sizes such as {@code 1000x4096}; {@code --jacobi-limit N} skips the reference
     *     above N = min(rows, cols)
     */
    public static void main(String[] args) {
        int jacobiLimit = 1024;
        java.util.List<int[]> sizes = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--jacobi-limit")) {
                jacobiLimit = Integer.parseInt(args[++i]);
            } else {
                String[] p = args[i].split("x");
                sizes.add(new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])});
            }
        }
        if (sizes.isEmpty()) {
            // VGG16's fc8, fc7 and fc6 weights, (out, in)
            sizes.add(new int[] {1000, 4096});
            sizes.add(new int[] {4096, 4096});
            sizes.add(new int[] {4096, 25088});
        }
        Random r = new Random(1);
        for (int[] s : sizes) {
            float[] m = new float[s[0] * s[1]];
            for (int i = 0; i < m.length; i++) {
                m[i] = (float) r.nextGaussian();
            }
            long t0 = System.nanoTime();
            Linalg.svd(m, s[0], s[1]);
            double ejml = (System.nanoTime() - t0) / 1e9;
            String jacobi = "skipped (min side > " + jacobiLimit + ")";
            if (Math.min(s[0], s[1]) <= jacobiLimit) {
                t0 = System.nanoTime();
                JacobiReference.svd(m, s[0], s[1]);
                jacobi = String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - t0) / 1e9);
            }
            System.out.printf(Locale.ROOT, "%d x %d: EJML %.1f s, Jacobi %s%n", s[0], s[1], ejml, jacobi);
        }
    }
}

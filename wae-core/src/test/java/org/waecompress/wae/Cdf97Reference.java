package org.waecompress.wae;

/**
 * The one-level CDF 9/7 discrete wavelet transform in plain Java, by lifting with whole-point symmetric
 * extension at the borders (the constants are {@link Cdf97}'s): the reference {@link DwtNode}'s tensor
 * version is tested against, and its exact inverse. Rows are transformed first, then columns; the bands
 * are {@code cA} (low-low), {@code cH}, {@code cV} and {@code cD}.
 */
final class Cdf97Reference {

    private Cdf97Reference() {}

    /**
     * Forward transform of one even-length signal, in place: afterwards the first half holds the
     * low band and the second half the high band.
     *
     * @param x the signal (even length)
     */
    public static void forward(double[] x) {
        int m = x.length / 2;
        double[] e = new double[m];
        double[] o = new double[m];
        for (int i = 0; i < m; i++) {
            e[i] = x[2 * i];
            o[i] = x[2 * i + 1];
        }
        predict(o, e, Cdf97.A);
        update(e, o, Cdf97.B);
        predict(o, e, Cdf97.G);
        update(e, o, Cdf97.D);
        for (int i = 0; i < m; i++) {
            x[i] = e[i] * Cdf97.K;
            x[m + i] = o[i] / Cdf97.K;
        }
    }

    /**
     * Inverse of {@link #forward}, in place.
     *
     * @param x low band then high band
     */
    public static void inverse(double[] x) {
        int m = x.length / 2;
        double[] e = new double[m];
        double[] o = new double[m];
        for (int i = 0; i < m; i++) {
            e[i] = x[i] / Cdf97.K;
            o[i] = x[m + i] * Cdf97.K;
        }
        update(e, o, -Cdf97.D);
        predict(o, e, -Cdf97.G);
        update(e, o, -Cdf97.B);
        predict(o, e, -Cdf97.A);
        for (int i = 0; i < m; i++) {
            x[2 * i] = e[i];
            x[2 * i + 1] = o[i];
        }
    }

    /** {@code o_i += c (e_i + e_{i+1})}, with {@code e_m = e_{m-1}} (symmetric extension). */
    private static void predict(double[] o, double[] e, double c) {
        int m = e.length;
        for (int i = 0; i < m; i++) {
            o[i] += c * (e[i] + e[Math.min(i + 1, m - 1)]);
        }
    }

    /** {@code e_i += c (o_{i-1} + o_i)}, with {@code o_{-1} = o_0} (symmetric extension). */
    private static void update(double[] e, double[] o, double c) {
        for (int i = 0; i < e.length; i++) {
            e[i] += c * (o[Math.max(i - 1, 0)] + o[i]);
        }
    }

    /**
     * Two-dimensional forward transform of an {@code h x w} image (both even).
     *
     * @param img the image, row-major
     * @param h the height
     * @param w the width
     * @return four bands {@code cA, cH, cV, cD}, each {@code (h/2) x (w/2)} row-major
     */
    public static double[][] forward2d(double[] img, int h, int w) {
        double[] t = img.clone();
        double[] row = new double[w];
        for (int y = 0; y < h; y++) {
            System.arraycopy(t, y * w, row, 0, w);
            forward(row);
            System.arraycopy(row, 0, t, y * w, w);
        }
        double[] col = new double[h];
        for (int x = 0; x < w; x++) {
            for (int y = 0; y < h; y++) {
                col[y] = t[y * w + x];
            }
            forward(col);
            for (int y = 0; y < h; y++) {
                t[y * w + x] = col[y];
            }
        }
        int hh = h / 2;
        int hw = w / 2;
        double[][] bands = new double[4][hh * hw];
        for (int y = 0; y < hh; y++) {
            for (int x = 0; x < hw; x++) {
                bands[0][y * hw + x] = t[y * w + x];                 // low rows, low cols
                bands[1][y * hw + x] = t[(y + hh) * w + x];          // high rows (vertical filter), low cols
                bands[2][y * hw + x] = t[y * w + x + hw];            // low rows, high cols
                bands[3][y * hw + x] = t[(y + hh) * w + x + hw];     // high, high
            }
        }
        return bands;
    }

    /**
     * Two-dimensional inverse transform.
     *
     * @param bands {@code cA, cH, cV, cD}
     * @param h the image height
     * @param w the image width
     * @return the image, row-major
     */
    public static double[] inverse2d(double[][] bands, int h, int w) {
        int hh = h / 2;
        int hw = w / 2;
        double[] t = new double[h * w];
        for (int y = 0; y < hh; y++) {
            for (int x = 0; x < hw; x++) {
                t[y * w + x] = bands[0][y * hw + x];
                t[(y + hh) * w + x] = bands[1][y * hw + x];
                t[y * w + x + hw] = bands[2][y * hw + x];
                t[(y + hh) * w + x + hw] = bands[3][y * hw + x];
            }
        }
        double[] col = new double[h];
        for (int x = 0; x < w; x++) {
            for (int y = 0; y < h; y++) {
                col[y] = t[y * w + x];
            }
            inverse(col);
            for (int y = 0; y < h; y++) {
                t[y * w + x] = col[y];
            }
        }
        double[] row = new double[w];
        for (int y = 0; y < h; y++) {
            System.arraycopy(t, y * w, row, 0, w);
            inverse(row);
            System.arraycopy(row, 0, t, y * w, w);
        }
        return t;
    }
}

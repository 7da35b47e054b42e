package org.waecompress.baselines.thinet;

/**
 * ThiNet's channel selection (Luo, Wu, Lin; ICCV 2017; https://arxiv.org/abs/1707.06342) on sampled
 * contributions: {@code x[m][c]} is what input channel c adds to the next layer's output in sample m
 * (one output channel at one location of one image), so the output is {@code y_m = sum_c x[m][c]}.
 */
public final class ThiNetSelection {

    private ThiNetSelection() {}

    /**
     * Greedily picks the channels to remove: repeatedly the one that keeps
     * {@code sum_m (sum_{c in removed} x[m][c])^2} smallest.
     *
     * @param x contributions, samples x channels
     * @param remove how many channels to remove
     * @return a flag per channel, true for removed
     */
    public static boolean[] greedyRemove(float[][] x, int remove) {
        int channels = x[0].length;
        boolean[] removed = new boolean[channels];
        double[] running = new double[x.length];
        for (int step = 0; step < remove; step++) {
            int best = -1;
            double bestValue = Double.MAX_VALUE;
            for (int c = 0; c < channels; c++) {
                if (removed[c]) {
                    continue;
                }
                double v = 0;
                for (int m = 0; m < x.length; m++) {
                    double t = running[m] + x[m][c];
                    v += t * t;
                }
                if (v < bestValue) {
                    bestValue = v;
                    best = c;
                }
            }
            removed[best] = true;
            for (int m = 0; m < x.length; m++) {
                running[m] += x[m][best];
            }
        }
        return removed;
    }

    /**
     * Least-squares scales of the kept channels so that their weighted contributions best reproduce
     * the full output: {@code min_w sum_m (y_m - sum_{c kept} w_c x[m][c])^2}, with a tiny ridge for
     * stability.
     *
     * @param x contributions, samples x channels
     * @param removed flags from {@link #greedyRemove}
     * @return one scale per kept channel, in channel order
     */
    public static double[] leastSquares(float[][] x, boolean[] removed) {
        int channels = x[0].length;
        int[] kept = java.util.stream.IntStream.range(0, channels).filter(c -> !removed[c]).toArray();
        int k = kept.length;
        double[] ata = new double[k * k];
        double[] aty = new double[k];
        for (float[] row : x) {
            double y = 0;
            for (float v : row) {
                y += v;
            }
            for (int i = 0; i < k; i++) {
                double a = row[kept[i]];
                aty[i] += a * y;
                for (int j = i; j < k; j++) {
                    ata[i * k + j] += a * row[kept[j]];
                }
            }
        }
        double trace = 0;
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < i; j++) {
                ata[i * k + j] = ata[j * k + i];
            }
            trace += ata[i * k + i];
        }
        double ridge = 1e-8 * Math.max(trace / k, 1e-12);
        for (int i = 0; i < k; i++) {
            ata[i * k + i] += ridge;
        }
        return solve(ata, aty, k);
    }

    /**
     * Returns the squared reconstruction error of the next layer's output with given scales.
     *
     * @param x contributions
     * @param removed removed flags
     * @param scales one per kept channel (null = all ones)
     * @return {@code sum_m (y_m - sum_kept w_c x[m][c])^2}
     */
    public static double error(float[][] x, boolean[] removed, double[] scales) {
        double e = 0;
        for (float[] row : x) {
            double y = 0;
            double approx = 0;
            int k = 0;
            for (int c = 0; c < row.length; c++) {
                y += row[c];
                if (!removed[c]) {
                    approx += (scales == null ? 1 : scales[k++]) * row[c];
                }
            }
            e += (y - approx) * (y - approx);
        }
        return e;
    }

    /** Gaussian elimination with partial pivoting. */
    static double[] solve(double[] a, double[] b, int n) {
        double[] m = a.clone();
        double[] r = b.clone();
        for (int col = 0; col < n; col++) {
            int piv = col;
            for (int i = col + 1; i < n; i++) {
                if (Math.abs(m[i * n + col]) > Math.abs(m[piv * n + col])) {
                    piv = i;
                }
            }
            if (piv != col) {
                for (int j = 0; j < n; j++) {
                    double t = m[col * n + j];
                    m[col * n + j] = m[piv * n + j];
                    m[piv * n + j] = t;
                }
                double t = r[col];
                r[col] = r[piv];
                r[piv] = t;
            }
            double d = m[col * n + col];
            if (Math.abs(d) < 1e-300) {
                continue;
            }
            for (int i = col + 1; i < n; i++) {
                double f = m[i * n + col] / d;
                if (f != 0) {
                    for (int j = col; j < n; j++) {
                        m[i * n + j] -= f * m[col * n + j];
                    }
                    r[i] -= f * r[col];
                }
            }
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = r[i];
            for (int j = i + 1; j < n; j++) {
                s -= m[i * n + j] * x[j];
            }
            double d = m[i * n + i];
            x[i] = Math.abs(d) < 1e-300 ? 1 : s / d;
        }
        return x;
    }
}

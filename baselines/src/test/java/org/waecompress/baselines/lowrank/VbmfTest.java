package org.waecompress.baselines.lowrank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.waecompress.baselines.common.Linalg;

class VbmfTest {

    /** A rows x cols matrix of planted rank plus Gaussian noise of the given standard deviation. */
    static float[] planted(int rows, int cols, int rank, double noise, long seed) {
        Random r = new Random(seed);
        double[][] a = new double[rows][rank];
        double[][] b = new double[rank][cols];
        for (int i = 0; i < rows; i++) {
            for (int k = 0; k < rank; k++) {
                a[i][k] = r.nextGaussian();
            }
        }
        for (int k = 0; k < rank; k++) {
            for (int j = 0; j < cols; j++) {
                b[k][j] = r.nextGaussian() * (k + 1) / 2.0;
            }
        }
        float[] m = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double v = noise * r.nextGaussian();
                for (int k = 0; k < rank; k++) {
                    v += a[i][k] * b[k][j];
                }
                m[i * cols + j] = (float) v;
            }
        }
        return m;
    }

    @Test
    void findsThePlantedRankAndTheNoiseLevel() {
        for (int[] dims : new int[][] {{40, 80}, {90, 30}, {64, 64}}) {
            int rows = dims[0];
            int cols = dims[1];
            float[] m = planted(rows, cols, 5, 0.1, rows + cols);
            Vbmf.Estimate e = Vbmf.estimate(Linalg.svd(m, rows, cols).s(), rows, cols);
            assertEquals(5, e.rank(), rows + "x" + cols);
            assertTrue(Math.abs(e.sigma2() / 0.01 - 1) < 0.25, rows + "x" + cols + ": noise variance " + e.sigma2());
        }
    }

    @Test
    void pureNoiseHasRankZero() {
        float[] m = planted(50, 70, 0, 1.0, 7);
        Vbmf.Estimate e = Vbmf.estimate(Linalg.svd(m, 50, 70).s(), 50, 70);
        assertEquals(0, e.rank());
        assertTrue(Math.abs(e.sigma2() - 1) < 0.25, "noise variance " + e.sigma2());
    }

    /** The EVBMF free energy as Nakajima et al. (2013) write it, for an independent reference minimiser. */
    private static double paperFreeEnergy(double sigma2, double[] s, int l, int m) {
        double alpha = l / (double) m;
        double tauBar = 2.5129 * Math.sqrt(alpha);
        double xBar = (1 + tauBar) * (1 + alpha / tauBar);
        double f = 0;
        for (double g : s) {
            double x = g * g / (m * sigma2);
            if (x <= xBar) {
                f += x - Math.log(x);
            } else {
                double tau = 0.5 * (x - (1 + alpha) + Math.sqrt((x - (1 + alpha)) * (x - (1 + alpha)) - 4 * alpha));
                f += x - tau + Math.log((tau + 1) / x) + alpha * Math.log(tau / alpha + 1);
            }
        }
        return f;
    }

    /**
     * The noise variance minimising the free energy on the paper's interval, by a dense scan (200,001
     * log-spaced points) rather than the scan and golden-section search of the code.
     */
    private static double referenceSigma2(double[] desc, int l, int m) {
        double alpha = l / (double) m;
        double tauBar = 2.5129 * Math.sqrt(alpha);
        double xBar = (1 + tauBar) * (1 + alpha / tauBar);
        double total = 0;
        for (double g : desc) {
            total += g * g;
        }
        double upper = total / ((double) l * m);
        int e = (int) Math.ceil(l / (1 + alpha)) - 1;
        double tail = 0;
        for (int h = e; h < l; h++) {
            tail += desc[h] * desc[h];
        }
        double lower = Math.max(desc[e] * desc[e] / (m * xBar), tail / (l - e) / m);
        double best = upper;
        double bestF = Double.POSITIVE_INFINITY;
        int n = 200_000;
        for (int i = 0; i <= n; i++) {
            double v = Math.exp(Math.log(lower) + (Math.log(upper) - Math.log(lower)) * i / n);
            double f = paperFreeEnergy(v, desc, l, m);
            if (f < bestF) {
                bestF = f;
                best = v;
            }
        }
        return best;
    }

    @Test
    void noiseVarianceAndRankMatchADenseMinimisationOfThePapersFreeEnergy() {
        // planted ranks with noise strong enough that some components fall under the threshold
        for (int[] c : new int[][] {{40, 80, 5, 10}, {90, 30, 8, 60}, {64, 64, 12, 100}, {33, 47, 6, 30}}) {
            int rows = c[0];
            int cols = c[1];
            float[] mat = planted(rows, cols, c[2], c[3] / 100.0, rows * 7L + cols);
            double[] desc = Linalg.svd(mat, rows, cols).s();
            int l = Math.min(rows, cols);
            int m = Math.max(rows, cols);
            double want = referenceSigma2(desc, l, m);
            double alpha = l / (double) m;
            double tauBar = 2.5129 * Math.sqrt(alpha);
            double xBar = (1 + tauBar) * (1 + alpha / tauBar);
            int wantRank = 0;
            for (double g : desc) {
                wantRank += g * g > m * want * xBar ? 1 : 0;
            }
            // the singular values in another order give the same estimate
            double[] shuffled = desc.clone();
            Random r = new Random(rows);
            for (int i = l - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                double t = shuffled[i];
                shuffled[i] = shuffled[j];
                shuffled[j] = t;
            }
            for (double[] input : new double[][] {desc, shuffled}) {
                Vbmf.Estimate e = Vbmf.estimate(input, rows, cols);
                String at = rows + "x" + cols + " rank " + c[2] + " noise " + c[3] / 100.0;
                assertEquals(want, e.sigma2(), 2e-4 * want, at + ": noise variance");
                assertEquals(wantRank, e.rank(), at + ": rank");
            }
        }
    }
}

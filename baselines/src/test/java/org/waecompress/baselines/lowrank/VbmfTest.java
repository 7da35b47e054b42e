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
}

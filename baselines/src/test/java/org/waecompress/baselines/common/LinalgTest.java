package org.waecompress.baselines.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LinalgTest {

    @Test
    void svdReconstructsWideAndTallMatrices() {
        Random r = new Random(4);
        for (int[] rc : new int[][] {{7, 19}, {19, 7}, {12, 12}}) {
            float[] m = new float[rc[0] * rc[1]];
            for (int i = 0; i < m.length; i++) {
                m[i] = (float) r.nextGaussian();
            }
            Linalg.Svd s = Linalg.svd(m, rc[0], rc[1]);
            double max = 0;
            for (int i = 0; i < rc[0]; i++) {
                for (int j = 0; j < rc[1]; j++) {
                    double v = 0;
                    for (int k = 0; k < s.k(); k++) {
                        v += s.u()[i * s.k() + k] * s.s()[k] * s.v()[j * s.k() + k];
                    }
                    max = Math.max(max, Math.abs(v - m[i * rc[1] + j]));
                }
            }
            assertTrue(max < 1e-4, "max |diff| " + max);
            for (int k = 1; k < s.k(); k++) {
                assertTrue(s.s()[k - 1] >= s.s()[k], "descending");
            }
        }
    }

    @Test
    void valuesAgreeWithTheJacobiReferenceAndVectorsAreOrthonormal() {
        Random r = new Random(9);
        int rows = 23;
        int cols = 11;
        float[] m = new float[rows * cols];
        for (int i = 0; i < m.length; i++) {
            m[i] = (float) r.nextGaussian();
        }
        Linalg.Svd s = Linalg.svd(m, rows, cols);
        JacobiReference.Svd ref = JacobiReference.svd(m, rows, cols);
        for (int k = 0; k < s.k(); k++) {
            assertEquals(ref.s()[k], s.s()[k], 1e-9 * ref.s()[0], "singular value " + k);
        }
        for (int a = 0; a < s.k(); a++) {
            for (int b = 0; b < s.k(); b++) {
                double uu = 0;
                double vv = 0;
                for (int i = 0; i < rows; i++) {
                    uu += s.u()[i * s.k() + a] * s.u()[i * s.k() + b];
                }
                for (int i = 0; i < cols; i++) {
                    vv += s.v()[i * s.k() + a] * s.v()[i * s.k() + b];
                }
                assertEquals(a == b ? 1 : 0, uu, 1e-9, "U columns " + a + ", " + b);
                assertEquals(a == b ? 1 : 0, vv, 1e-9, "V columns " + a + ", " + b);
            }
        }
        // a symmetric matrix: A v = lambda v for every pair, values descending and equal to the reference's
        int n = 9;
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double x = r.nextGaussian();
                a[i * n + j] = x;
                a[j * n + i] = x;
            }
        }
        double[][] e = Linalg.symmetricEigen(a, n);
        double[][] refE = JacobiReference.symmetricEigen(a, n);
        for (int j = 0; j < n; j++) {
            assertEquals(refE[0][j], e[0][j], 1e-9, "eigenvalue " + j);
            if (j > 0) {
                assertTrue(e[0][j - 1] >= e[0][j], "descending");
            }
            for (int i = 0; i < n; i++) {
                double av = 0;
                for (int k = 0; k < n; k++) {
                    av += a[i * n + k] * e[1][k * n + j];
                }
                assertEquals(e[0][j] * e[1][i * n + j], av, 1e-9, "A v = lambda v, pair " + j);
            }
        }
    }

    @Test
    void aMatrixWithNaNIsRefusedNotDecomposedIntoGarbage() {
        float[] m = {1, 2, Float.NaN, 4};
        assertThrows(ArithmeticException.class, () -> Linalg.svd(m, 2, 2));
    }
}

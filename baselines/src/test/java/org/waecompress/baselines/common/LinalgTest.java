package org.waecompress.baselines.common;

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
}

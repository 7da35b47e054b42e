package org.waecompress.spi.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TransposedConv2dTest {

    /** Direct definition: every input pixel scatters a weighted kernel into the output. */
    static float[] reference(float[] x, int n, int c, int h, int w, float[] wt, int out, int kh, int kw,
            float[] bias, int s, int p, int op, int[] outHw) {
        int oh = (h - 1) * s - 2 * p + kh + op;
        int ow = (w - 1) * s - 2 * p + kw + op;
        outHw[0] = oh;
        outHw[1] = ow;
        float[] y = new float[n * out * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < oh * ow; i++) {
                    y[(b * out + o) * oh * ow + i] = bias == null ? 0 : bias[o];
                }
            }
            for (int ci = 0; ci < c; ci++) {
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        float v = x[((b * c + ci) * h + i) * w + j];
                        for (int o = 0; o < out; o++) {
                            for (int a = 0; a < kh; a++) {
                                for (int e = 0; e < kw; e++) {
                                    int yi = i * s - p + a;
                                    int yj = j * s - p + e;
                                    if (yi >= 0 && yi < oh && yj >= 0 && yj < ow) {
                                        y[((b * out + o) * oh + yi) * ow + yj] +=
                                                v * wt[((ci * out + o) * kh + a) * kw + e];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return y;
    }

    @ParameterizedTest
    @CsvSource({"4,2,1,0", "3,2,1,1", "3,1,0,0", "2,2,0,0", "5,3,2,2", "4,2,0,1"})
    void equalsDirectComputation(int k, int s, int p, int op) {
        int n = 2;
        int c = 3;
        int h = 5;
        int w = 4;
        int out = 4;
        Random r = new Random(7 + k * 31 + s);
        float[] x = new float[n * c * h * w];
        float[] wt = new float[c * out * k * k];
        float[] b = new float[out];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < wt.length; i++) {
            wt[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) r.nextGaussian();
        }
        int[] ohw = new int[2];
        float[] expected = reference(x, n, c, h, w, wt, out, k, k, b, s, p, op, ohw);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray y = TransposedConv2d.apply(m.create(x, new Shape(n, c, h, w)),
                    m.create(wt, new Shape(c, out, k, k)), m.create(b), new int[] {s, s}, new int[] {p, p},
                            new int[] {op, op});
            assertArrayEquals(new long[] {n, out, ohw[0], ohw[1]}, y.getShape().getShape());
            float[] got = y.toFloatArray();
            float max = 0;
            for (int i = 0; i < got.length; i++) {
                max = Math.max(max, Math.abs(got[i] - expected[i]));
            }
            assertTrue(max < 1e-4, "max |diff| = " + max);
        }
    }
}

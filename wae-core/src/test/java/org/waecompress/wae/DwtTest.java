package org.waecompress.wae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DwtTest {

    @Test
    void inverseReconstructsTheInput() {
        Random r = new Random(1);
        for (int[] hw : new int[][] {{8, 12}, {32, 32}, {2, 2}, {6, 4}}) {
            double[] img = new double[hw[0] * hw[1]];
            for (int i = 0; i < img.length; i++) {
                img[i] = r.nextDouble() * 2 - 0.5;
            }
            double[] back = Cdf97.inverse2d(Cdf97.forward2d(img, hw[0], hw[1]), hw[0], hw[1]);
            double max = 0;
            for (int i = 0; i < img.length; i++) {
                max = Math.max(max, Math.abs(back[i] - img[i]));
            }
            assertTrue(max < 1e-4, "max |diff| " + max);
        }
    }

    @Test
    void constantImageHasNoDetail() {
        double[] img = new double[16 * 16];
        java.util.Arrays.fill(img, 0.7);
        double[][] b = Cdf97.forward2d(img, 16, 16);
        for (int k = 1; k < 4; k++) {
            for (double v : b[k]) {
                assertEquals(0, v, 1e-9);
            }
        }
        // the 9/7 low-pass has gain sqrt(2) per dimension with this normalisation
        assertEquals(0.7 * 2, b[0][0], 1e-3);
    }

    @Test
    void nodeEqualsTheReference() {
        int c = 2;
        int h = 8;
        int w = 10;
        Random r = new Random(3);
        float[] x = new float[c * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray y = DwtNode.transform(m.create(x, new Shape(1, c, h, w)));
            assertEquals(new Shape(1, 4 * c, h / 2, w / 2), y.getShape());
            float[] got = y.toFloatArray();
            int band = (h / 2) * (w / 2);
            for (int ch = 0; ch < c; ch++) {
                double[] img = new double[h * w];
                for (int i = 0; i < img.length; i++) {
                    img[i] = x[ch * h * w + i];
                }
                double[][] ref = Cdf97.forward2d(img, h, w);
                for (int k = 0; k < 4; k++) {
                    for (int i = 0; i < band; i++) {
                        assertEquals(ref[k][i], got[(k * c + ch) * band + i], 1e-4, "band " + k + " channel " + ch);
                    }
                }
            }
        }
    }
}

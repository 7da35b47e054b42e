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
            double[] back = Cdf97Reference.inverse2d(Cdf97Reference.forward2d(img, hw[0], hw[1]), hw[0], hw[1]);
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
        double[][] b = Cdf97Reference.forward2d(img, 16, 16);
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
                double[][] ref = Cdf97Reference.forward2d(img, h, w);
                for (int k = 0; k < 4; k++) {
                    for (int i = 0; i < band; i++) {
                        assertEquals(ref[k][i], got[(k * c + ch) * band + i], 1e-4, "band " + k + " channel " + ch);
                    }
                }
            }
        }
    }

    /**
     * The transform's impulse responses are the CDF 9/7 analysis filters, as PyWavelets tabulates them
     * for {@code bior4.4} ({@code pywt.Wavelet("bior4.4").dec_lo} and {@code dec_hi}); the high band is
     * the negated {@code dec_hi}, JPEG 2000's sign. A lifting constant off (delta 0.25 for 0.4435)
     * moves the low-pass taps by 0.2.
     */
    @Test
    void impulseResponsesAreTheBior44AnalysisFilters() {
        double[] decLo = {0.03782845550726404, -0.023849465019556843, -0.11062440441843718, 0.37740285561283066,
            0.8526986790088938, 0.37740285561283066, -0.11062440441843718, -0.023849465019556843,
            0.03782845550726404};
        double[] decHi = {-0.06453888262869706, 0.04068941760916406, 0.41809227322161724, -0.7884856164055829,
            0.41809227322161724, 0.04068941760916406, -0.06453888262869706};
        int n = 32;
        int i = 8;
        for (int at = 0; at < n; at++) {
            double[] x = new double[n];
            x[at] = 1;
            Cdf97Reference.forward(x);
            // low[i] is centred on sample 2i, high[i] on 2i + 1; both symmetric
            int lo = at - 2 * i + 4;
            int hi = at - (2 * i + 1) + 3;
            double wantLo = lo >= 0 && lo < decLo.length ? decLo[lo] : 0;
            double wantHi = hi >= 0 && hi < decHi.length ? -decHi[hi] : 0;
            assertEquals(wantLo, x[i], 1e-12, "low tap at " + at);
            assertEquals(wantHi, x[n / 2 + i], 1e-12, "high tap at " + at);
        }
    }
}

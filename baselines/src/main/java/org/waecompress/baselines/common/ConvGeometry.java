package org.waecompress.baselines.common;

import ai.djl.ndarray.types.Shape;
import org.waecompress.spi.spec.ConvSpec;

/**
 * A convolution's geometry on an input, for computing its response at one output position by hand
 * (ThiNet's channel contributions, low-rank's response statistics).
 *
 * @param conv the convolution
 * @param c input channels
 * @param h input height
 * @param w input width
 * @param oh output height
 * @param ow output width
 */
public record ConvGeometry(ConvSpec conv, int c, int h, int w, int oh, int ow) {

    /**
     * Returns the geometry of a convolution on an input shape.
     *
     * @param conv the convolution
     * @param in its input shape (C, H, W)
     * @return the geometry
     */
    public static ConvGeometry of(ConvSpec conv, Shape in) {
        int c = (int) in.get(0);
        int h = (int) in.get(1);
        int w = (int) in.get(2);
        int oh = (h + 2 * conv.padding().h() - conv.kernel().h()) / conv.stride().h() + 1;
        int ow = (w + 2 * conv.padding().w() - conv.kernel().w()) / conv.stride().w() + 1;
        return new ConvGeometry(conv, c, h, w, oh, ow);
    }

    /**
     * Returns what one input channel contributes to one output channel at one position (zero padding).
     *
     * @param weights the weights, (out, C, kh, kw) row-major
     * @param o the output channel
     * @param ch the input channel
     * @param x inputs, (N, C, H, W) row-major
     * @param img the image in {@code x}
     * @param py the output row
     * @param px the output column
     * @return the contribution
     */
    public double contribution(float[] weights, int o, int ch, float[] x, int img, int py, int px) {
        int kh = conv.kernel().h();
        int kw = conv.kernel().w();
        double s = 0;
        for (int a = 0; a < kh; a++) {
            int iy = py * conv.stride().h() - conv.padding().h() + a;
            if (iy < 0 || iy >= h) {
                continue;
            }
            for (int b = 0; b < kw; b++) {
                int ix = px * conv.stride().w() - conv.padding().w() + b;
                if (ix >= 0 && ix < w) {
                    s += weights[((o * c + ch) * kh + a) * kw + b] * x[((img * c + ch) * h + iy) * w + ix];
                }
            }
        }
        return s;
    }
}

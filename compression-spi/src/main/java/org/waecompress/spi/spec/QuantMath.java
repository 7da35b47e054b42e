package org.waecompress.spi.spec;

/**
 * The int8 arithmetic that the PyTorch engine simulates and the ONNX export writes, in one place so
 * that both compute the same numbers: weights symmetric int8 per output channel (scale = largest
 * magnitude / 127), biases int32 at the input's scale times the weight's, rounding half to even as
 * ONNX's QuantizeLinear does. Every operation is single precision, as in the engine.
 */
public final class QuantMath {

    /** The largest int8 weight magnitude (the symmetric range leaves out -128). */
    public static final int WEIGHT_MAX = 127;
    /** The largest uint8 activation. */
    public static final int ACTIVATION_MAX = 255;

    private QuantMath() {}

    /**
     * Returns the scale of each output channel: its largest weight magnitude / 127, or 1 for a channel
     * of zeros (any scale stores zeros exactly; ONNX needs a positive one).
     *
     * @param w the weights, output channel first, row-major
     * @param channels the number of output channels
     * @return one scale per channel
     */
    public static float[] weightScales(float[] w, int channels) {
        int per = w.length / channels;
        float[] s = new float[channels];
        for (int c = 0; c < channels; c++) {
            float m = 0;
            for (int i = c * per; i < (c + 1) * per; i++) {
                m = Math.max(m, Math.abs(w[i]));
            }
            s[c] = m == 0 ? 1f : m / WEIGHT_MAX;
        }
        return s;
    }

    /**
     * Rounds weights to int8 steps of their channel's scale.
     *
     * @param w the weights
     * @param scales one per output channel
     * @return the int8 values
     */
    public static byte[] quantizeWeights(float[] w, float[] scales) {
        int per = w.length / scales.length;
        byte[] q = new byte[w.length];
        for (int i = 0; i < w.length; i++) {
            double r = Math.rint(w[i] / scales[i / per]);
            q[i] = (byte) Math.max(-WEIGHT_MAX, Math.min(WEIGHT_MAX, r));
        }
        return q;
    }

    /**
     * Returns the bias scales: the input's scale times each channel's weight scale.
     *
     * @param weightScales the weight scales
     * @param inputScale the input's scale
     * @return one per channel
     */
    public static float[] biasScales(float[] weightScales, float inputScale) {
        float[] s = new float[weightScales.length];
        for (int c = 0; c < s.length; c++) {
            s[c] = weightScales[c] * inputScale;
        }
        return s;
    }

    /**
     * Rounds biases to int32 steps of their scale.
     *
     * @param b the biases
     * @param scales one per channel
     * @return the int32 values
     */
    public static int[] quantizeBias(float[] b, float[] scales) {
        int[] q = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            q[i] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Math.rint(b[i] / scales[i])));
        }
        return q;
    }

    /**
     * Quantizes one activation to uint8 as ONNX's QuantizeLinear does.
     *
     * @param x the value
     * @param scale the scale
     * @param zeroPoint the zero point
     * @return the uint8 value, 0..255
     */
    public static int quantize(float x, float scale, int zeroPoint) {
        double r = Math.rint(x / scale) + zeroPoint;
        return (int) Math.max(0, Math.min(ACTIVATION_MAX, r));
    }
}

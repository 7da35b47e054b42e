package org.waecompress.spi.spec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A quantization point (type {@code quantize}): the value is rounded to uint8 steps of {@code scale}
 * around {@code zeroPoint} and read back as float, {@code (clamp(round(x / scale) + zeroPoint, 0,
 * 255) - zeroPoint) * scale}. On the PyTorch engine that is simulated quantization (the same rounding
 * and clamping in float); in training the gradient passes straight through inside the representable
 * range and is zero outside it (the straight-through estimator of quantization-aware training). In
 * ONNX it is a {@code QuantizeLinear} and a {@code DequantizeLinear}, which ONNX Runtime fuses with
 * the operators around it into int8 kernels.
 *
 * <p>A point with scale 0 is not calibrated yet: it passes values through unchanged and shows them to
 * the thread's {@link QuantObserver}, which is how a calibration pass collects each point's range. Such
 * a network cannot be exported.
 *
 * @param name the node name (usually empty: a point owns no parameters)
 * @param point the point's number within its network, which calibration keys its statistics by
 * @param scale the step, or 0 while uncalibrated
 * @param zeroPoint the uint8 value that stands for 0.0
 */
public record QuantizeSpec(String name, int point, float scale, int zeroPoint) implements LayerSpec {

    /** Validates the record. */
    public QuantizeSpec {
        if (!(scale >= 0) || Float.isInfinite(scale)) {
            throw new SpecException("quantize " + name + " (point " + point + "): scale must be a finite number >= 0, "
                    + "got " + scale);
        }
        if (zeroPoint < 0 || zeroPoint > QuantMath.ACTIVATION_MAX) {
            throw new SpecException("quantize " + name + " (point " + point + "): zeroPoint must be in 0..255, got "
                    + zeroPoint);
        }
    }

    /**
     * Returns whether the point has a scale.
     *
     * @return false while it only observes
     */
    public boolean calibrated() {
        return scale > 0;
    }

    /**
     * Returns the smallest value the point represents.
     *
     * @return {@code -zeroPoint * scale}
     */
    public float low() {
        return -zeroPoint * scale;
    }

    /**
     * Returns the largest value the point represents.
     *
     * @return {@code (255 - zeroPoint) * scale}
     */
    public float high() {
        return (QuantMath.ACTIVATION_MAX - zeroPoint) * scale;
    }

    @Override
    public String type() {
        return "quantize";
    }

    @Override
    public Shape route(Shape in, Router r) {
        return in;
    }

    @Override
    public Block build(Shape in, BuildContext ctx) {
        return new QuantizeBlock(this);
    }

    @Override
    public String toOnnx(String x, Shape in, OnnxContext ctx) {
        if (!calibrated()) {
            throw new SpecException((ctx.path().isEmpty() ? "(root)" : ctx.path()) + ": quantization point " + point
                    + " has no scale yet (calibrate the network before exporting it)");
        }
        String s = ctx.floats("scale", new float[] {scale});
        String z = ctx.bytes("zero_point", new byte[] {(byte) zeroPoint}, true);
        String q = ctx.op("QuantizeLinear").in(x, s, z).out();
        return ctx.op("DequantizeLinear").in(q, s, z).out();
    }

    /** Simulated uint8 quantization (or observation while uncalibrated). */
    static final class QuantizeBlock extends AbstractBlock {
        private final QuantizeSpec spec;

        QuantizeBlock(QuantizeSpec spec) {
            this.spec = spec;
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            if (!spec.calibrated()) {
                QuantObserver o = QuantObserver.current();
                if (o != null) {
                    o.observe(spec.point(), x);
                }
                return new NDList(x);
            }
            NDArray q = fakeQuantize(x, spec.scale(), spec.zeroPoint());
            if (!training) {
                return new NDList(q);
            }
            NDArray inRange = x.clip(spec.low(), spec.high());
            return new NDList(inRange.add(q.sub(inRange).stopGradient()));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return inputShapes;
        }

        @Override
        protected void initializeChildBlocks(ai.djl.ndarray.NDManager manager, DataType dataType,
                Shape... inputShapes) {
            // no children
        }

        @Override
        public String toString() {
            return "Quantize(point " + spec.point() + ", scale " + spec.scale() + ", zero point " + spec.zeroPoint()
                    + ")";
        }
    }

    /**
     * Rounds values to uint8 steps and reads them back as float, in single precision as ONNX's
     * QuantizeLinear and DequantizeLinear do.
     *
     * @param x the values
     * @param scale the step
     * @param zeroPoint the zero point
     * @return the quantized values, in {@code x}'s manager
     */
    public static NDArray fakeQuantize(NDArray x, float scale, int zeroPoint) {
        return x.div(scale).round().add(zeroPoint).clip(0, QuantMath.ACTIVATION_MAX).sub(zeroPoint).mul(scale);
    }
}

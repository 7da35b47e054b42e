package org.waecompress.spi.spec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;
import java.util.Objects;
import org.waecompress.spi.nn.StepScope;

/**
 * A convolution or linear layer computed with int8 weights (type {@code int8}): symmetric, one scale
 * per output channel (its largest magnitude / 127), and an int32 bias whose scale is {@code
 * inputScale} times the channel's weight scale, as ONNX Runtime's int8 kernels need. The layer keeps
 * its float parameters under the same names; the scales follow from them ({@link QuantMath}), so
 * fine-tuning a quantized network (quantization-aware training, with a straight-through gradient to
 * the float weights) needs no other state.
 *
 * <p>On the PyTorch engine the layer runs on the dequantized weights and bias (simulated
 * quantization); in ONNX the weights are an INT8 initializer and the bias an INT32 one, each read
 * through a {@code DequantizeLinear}, which ONNX Runtime fuses with the layer's uint8 input and
 * quantized output into {@code QLinearConv} or an int8 GEMM.
 *
 * @param name the node name: the layer's own, so the parameters keep their paths
 * @param layer the float layer ({@link ConvSpec} or {@link LinearSpec})
 * @param inputScale the scale of the uint8 input (the quantization point before the layer)
 */
public record Int8Spec(String name, LayerSpec layer, float inputScale) implements LayerSpec {

    /** Validates the record. */
    public Int8Spec {
        Objects.requireNonNull(layer, "layer");
        if (!(layer instanceof ConvSpec) && !(layer instanceof LinearSpec)) {
            throw new SpecException("int8 " + name + ": wraps a conv or a linear layer, not " + layer.type());
        }
        if (!(inputScale > 0) || Float.isInfinite(inputScale)) {
            throw new SpecException("int8 " + name + ": inputScale must be a finite number > 0, got " + inputScale);
        }
    }

    @Override
    public String type() {
        return "int8";
    }

    @Override
    public Shape route(Shape in, Router r) {
        return layer.route(in, r);
    }

    @Override
    public List<ParamDef> params(Shape in) {
        return layer.params(in);
    }

    @Override
    public long macs(Shape in, Shape out) {
        return layer.macs(in, out);
    }

    @Override
    public LayerSpec withInput(Shape in) {
        return new Int8Spec(name, layer.withInput(in), inputScale);
    }

    private boolean bias() {
        return layer instanceof ConvSpec c ? c.bias() : ((LinearSpec) layer).bias();
    }

    @Override
    public Block build(Shape in, BuildContext ctx) {
        Int8Block b = new Int8Block(this, layer.params(in));
        ctx.register("weight", b.weight);
        if (b.bias != null) {
            ctx.register("bias", b.bias);
        }
        return b;
    }

    @Override
    public String toOnnx(String x, Shape in, OnnxContext ctx) {
        Shape ws = layer.params(in).get(0).shape();
        int channels = (int) ws.get(0);
        float[] w = ctx.paramValues("weight");
        float[] scales = QuantMath.weightScales(w, channels);
        String wq = ctx.bytes("weight_quantized", QuantMath.quantizeWeights(w, scales), false, ws.getShape());
        String wd = ctx.op("DequantizeLinear").in(wq, ctx.floats("weight_scale", scales, channels),
                ctx.bytes("weight_zero_point", new byte[channels], false, channels)).attr("axis", 0).out();
        String bd = null;
        if (bias()) {
            float[] bs = QuantMath.biasScales(scales, inputScale);
            String bq = ctx.int32s("bias_quantized", QuantMath.quantizeBias(ctx.paramValues("bias"), bs), channels);
            bd = ctx.op("DequantizeLinear").in(bq, ctx.floats("bias_scale", bs, channels),
                    ctx.int32s("bias_zero_point", new int[channels], channels)).attr("axis", 0).out();
        }
        return layer instanceof ConvSpec c ? c.lower(x, wd, bd, ctx) : ((LinearSpec) layer).lower(x, wd, bd, ctx);
    }

    /** The layer on simulated int8 weights and int32 bias. */
    static final class Int8Block extends AbstractBlock {
        private final Int8Spec spec;
        private final List<ParamDef> defs;
        final Parameter weight;
        final Parameter bias;

        Int8Block(Int8Spec spec, List<ParamDef> defs) {
            this.spec = spec;
            this.defs = defs;
            weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT).build());
            bias = defs.size() > 1
                    ? addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS).build()) : null;
        }

        @Override
        protected void prepare(Shape[] inputShapes) {
            weight.setShape(defs.get(0).shape());
            if (bias != null) {
                bias.setShape(defs.get(1).shape());
            }
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            NDArray w = ps.getValue(weight, x.getDevice(), training);
            // each parameter detached once, in the step's scope: scales and rounding carry no gradient
            NDArray wd = StepScope.of(w.stopGradient(), x);
            NDArray scales = weightScales(wd);
            NDArray wq = straightThrough(w, wd, fakeWeights(wd, scales), x, training);
            NDArray bq = null;
            if (bias != null) {
                NDArray b = ps.getValue(bias, x.getDevice(), training);
                NDArray bd = StepScope.of(b.stopGradient(), x);
                NDArray bs = scales.reshape(-1).mul(spec.inputScale());
                bq = straightThrough(b, bd, bd.div(bs).round().mul(bs), x, training);
            }
            if (spec.layer() instanceof ConvSpec c) {
                return Conv2d.conv2d(x, wq, bq, BuiltInLayers.djl(c.stride()), BuiltInLayers.djl(c.padding()),
                        new Shape(1, 1), c.groups());
            }
            return Linear.linear(x, wq, bq);
        }

        /** Per output channel, max |w| / 127 (1 for a channel of zeros), shaped to broadcast over w. */
        private static NDArray weightScales(NDArray wd) {
            Shape ws = wd.getShape();
            long[] broadcast = new long[ws.dimension()];
            java.util.Arrays.fill(broadcast, 1);
            broadcast[0] = ws.get(0);
            NDArray s = wd.reshape(ws.get(0), -1).abs().max(new int[] {1}, true).div((float) QuantMath.WEIGHT_MAX)
                    .reshape(broadcast);
            return NDArrays.where(s.eq(0f), s.onesLike(), s);
        }

        private static NDArray fakeWeights(NDArray wd, NDArray scales) {
            return wd.div(scales).round().clip(-QuantMath.WEIGHT_MAX, QuantMath.WEIGHT_MAX).mul(scales);
        }

        /**
         * The quantized value forward, the float parameter's gradient backward: {@code param + (quantized -
         * detached)}, whose second term carries no gradient.
         */
        private static NDArray straightThrough(NDArray param, NDArray detached, NDArray quantized, NDArray x,
                boolean training) {
            if (!training) {
                return quantized;
            }
            return StepScope.of(param.add(quantized.sub(detached)), x);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {spec.layer() instanceof ConvSpec c
                    ? convOut(inputShapes[0], c) : new Shape(inputShapes[0].get(0), ((LinearSpec) spec.layer()).out())};
        }

        private static Shape convOut(Shape in, ConvSpec c) {
            Shape chw = in.slice(1);
            Shape out = c.route(chw, new Router() {
                @Override
                public Shape child(int index, Shape s) {
                    throw new IllegalStateException("a conv has no children");
                }

                @Override
                public String path() {
                    return c.name() == null ? "" : c.name();
                }
            });
            return new Shape(in.get(0)).addAll(out);
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            // no children
        }

        @Override
        public String toString() {
            return "Int8(" + spec.layer().type() + ", input scale " + spec.inputScale() + ")";
        }
    }
}

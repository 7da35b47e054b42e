package org.waecompress.spi.spec;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A 2-D convolution (torchvision {@code Conv2d}, dilation 1).
 *
 * @param name the node name
 * @param in input channels
 * @param out output channels (filters)
 * @param kernel kernel size
 * @param stride stride
 * @param padding zero padding on each side
 * @param groups channel groups ({@code in} for depthwise)
 * @param bias whether the layer adds a bias
 */
public record ConvSpec(String name, int in, int out, HeightWidth kernel, HeightWidth stride, HeightWidth padding,
        int groups,
        boolean bias) implements LayerSpec {

    /** Validates the record. */
    public ConvSpec {
        Objects.requireNonNull(kernel, "kernel");
        stride = stride == null ? HeightWidth.of(1) : stride;
        padding = padding == null ? HeightWidth.of(0) : padding;
        groups = groups == 0 ? 1 : groups;
        if (in < 1 || out < 1 || groups < 1 || in % groups != 0 || out % groups != 0) {
            throw new SpecException("conv " + name + ": channels in=" + in + " out=" + out
                    + " must be positive multiples of groups=" + groups);
        }
        HeightWidth.check(HeightWidth.label("conv", name), kernel, stride, padding);
    }

    /**
     * Returns a square convolution with the given settings.
     *
     * @param name the name
     * @param in input channels
     * @param out output channels
     * @param k kernel size
     * @param s stride
     * @param p padding
     * @param bias whether to add a bias
     * @return the node
     */
    public static ConvSpec of(String name, int in, int out, int k, int s, int p, boolean bias) {
        return new ConvSpec(name, in, out, HeightWidth.of(k), HeightWidth.of(s), HeightWidth.of(p), 1, bias);
    }

    @Override
    public String type() {
        return "conv";
    }

    @Override
    public QuantRole quantRole() {
        return QuantRole.WEIGHTED;
    }

    @Override
    public LayerSpec withInt8Weights(float inputScale) {
        return new Int8Spec(name, this, inputScale);
    }

    @Override
    public Shape route(Shape in, Router r) {
        BuiltInLayers.chw(in, r, "conv");
        if (in.get(0) != this.in) {
            throw r.mismatch("conv input channels", "(" + this.in + ", H, W)", in);
        }
        return BuiltInLayers.spatialOut(in, out, kernel, stride, padding, false, r);
    }

    @Override
    public List<ParamDef> params(Shape in) {
        List<ParamDef> p = new ArrayList<>();
        p.add(new ParamDef("weight", new Shape(out, this.in / groups, kernel.h(), kernel.w()),
                ParamKind.WEIGHT));
        if (bias) {
            p.add(new ParamDef("bias", new Shape(out), ParamKind.BIAS));
        }
        return p;
    }

    @Override
    public long macs(Shape in, Shape out) {
        return Math.multiplyExact(Math.multiplyExact(out.size(), (long) (this.in / groups)),
                (long) kernel.h() * kernel.w());
    }

    @Override
    public LayerSpec withInput(Shape in) {
        int c = (int) in.get(0);
        // A depthwise convolution follows its input: one filter per channel.
        if (groups == this.in && groups == out && groups > 1) {
            return new ConvSpec(name, c, c, kernel, stride, padding, c, bias);
        }
        return new ConvSpec(name, c, out, kernel, stride, padding, groups, bias);
    }

    /**
     * Returns a copy with another number of output channels.
     *
     * @param n the new output channel count
     * @return the node
     */
    public ConvSpec withOut(int n) {
        return new ConvSpec(name, in, n, kernel, stride, padding, groups, bias);
    }

    /**
     * Returns whether another convolution reads the same input the same way: in channels, kernel,
     * stride, padding, groups and bias.
     *
     * @param o the other convolution
     * @return true when only the filter count may differ
     */
    public boolean sameGeometry(ConvSpec o) {
        return in == o.in && kernel.equals(o.kernel) && stride.equals(o.stride) && padding.equals(o.padding)
                && groups == o.groups && bias == o.bias;
    }

    @Override
    public Block build(Shape in, BuildContext ctx) {
        Conv2d conv = Conv2d.builder()
                .setKernelShape(BuiltInLayers.djl(kernel))
                .optStride(BuiltInLayers.djl(stride))
                .optPadding(BuiltInLayers.djl(padding))
                .optGroups(groups)
                .setFilters(out)
                .optBias(bias)
                .build();
        ctx.register("weight", conv.getParameters().get("weight"));
        if (bias) {
            ctx.register("bias", conv.getParameters().get("bias"));
        }
        return conv;
    }

    @Override
    public String toOnnx(String x, Shape in, OnnxContext ctx) {
        return lower(x, ctx.param("weight"), bias ? ctx.param("bias") : null, ctx);
    }

    /** The Conv operator on given weight and bias values (the float initializers, or dequantized int8 ones). */
    String lower(String x, String weight, String biasValue, OnnxContext ctx) {
        OnnxNode n = ctx.op("Conv").in(x, weight);
        if (biasValue != null) {
            n.in(biasValue);
        }
        return n.ints("kernel_shape", kernel.h(), kernel.w()).ints("strides", stride.h(), stride.w())
                .ints("pads", BuiltInLayers.pads(padding)).attr("group", groups).out();
    }
}

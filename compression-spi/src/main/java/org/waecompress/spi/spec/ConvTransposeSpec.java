package org.waecompress.spi.spec;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.waecompress.spi.nn.TransposedConv2d;

/**
 * A 2-D transposed convolution (torchvision {@code ConvTranspose2d}, groups 1, dilation 1); its
 * weight has torchvision's layout {@code (in, out, kH, kW)}.
 *
 * @param name the node name
 * @param in input channels
 * @param out output channels
 * @param kernel kernel size
 * @param stride stride (the upsampling factor)
 * @param padding implicit padding removed from each side of the output
 * @param outputPadding extra rows/columns added on the bottom/right of the output
 * @param bias whether the layer adds a bias
 */
public record ConvTransposeSpec(String name, int in, int out, HeightWidth kernel, HeightWidth stride,
        HeightWidth padding,
        HeightWidth outputPadding, boolean bias) implements LayerSpec {

    /** Validates the record. */
    public ConvTransposeSpec {
        Objects.requireNonNull(kernel, "kernel");
        stride = stride == null ? HeightWidth.of(1) : stride;
        padding = padding == null ? HeightWidth.of(0) : padding;
        outputPadding = outputPadding == null ? HeightWidth.of(0) : outputPadding;
        if (in < 1 || out < 1) {
            throw new SpecException("convTranspose " + name + ": channels must be positive");
        }
        HeightWidth.check(HeightWidth.label("convTranspose", name), kernel, stride, padding);
        if (padding.h() > kernel.h() - 1 || padding.w() > kernel.w() - 1) {
            throw new SpecException("convTranspose " + name + ": padding " + padding
                    + " must be at most kernel - 1 (" + kernel + ")");
        }
        if (outputPadding.h() >= stride.h() || outputPadding.w() >= stride.w()) {
            throw new SpecException("convTranspose " + name + ": outputPadding " + outputPadding
                    + " must be smaller than stride " + stride);
        }
    }

    @Override
    public String type() {
        return "convTranspose";
    }

    @Override
    public Shape route(Shape in, Router r) {
        BuiltInLayers.chw(in, r, "convTranspose");
        if (in.get(0) != this.in) {
            throw r.mismatch("convTranspose input channels", "(" + this.in + ", H, W)", in);
        }
        long h = (in.get(1) - 1) * stride.h() - 2L * padding.h() + kernel.h() + outputPadding.h();
        long w = (in.get(2) - 1) * stride.w() - 2L * padding.w() + kernel.w() + outputPadding.w();
        return new Shape(out, h, w);
    }

    @Override
    public List<ParamDef> params(Shape in) {
        List<ParamDef> p = new ArrayList<>();
        p.add(new ParamDef("weight", new Shape(this.in, out, kernel.h(), kernel.w()), ParamKind.WEIGHT));
        if (bias) {
            p.add(new ParamDef("bias", new Shape(out), ParamKind.BIAS));
        }
        return p;
    }

    @Override
    public long macs(Shape in, Shape out) {
        // Every input element is multiplied by a kernel column of out x kH x kW weights.
        return Math.multiplyExact(Math.multiplyExact(in.size(), (long) this.out), (long) kernel.h() * kernel.w());
    }

    @Override
    public LayerSpec withInput(Shape in) {
        return new ConvTransposeSpec(name, (int) in.get(0), out, kernel, stride, padding, outputPadding, bias);
    }

    @Override
    public Block build(Shape in, BuildContext ctx) {
        TransposedConv2d block = new TransposedConv2d(this.in, out, kernel.toArray(), stride.toArray(),
                padding.toArray(), outputPadding.toArray(), bias);
        ctx.register("weight", block.getParameters().get("weight"));
        if (bias) {
            ctx.register("bias", block.getParameters().get("bias"));
        }
        return block;
    }

    @Override
    public String toOnnx(String x, Shape in, OnnxContext ctx) {
        OnnxNode n = ctx.op("ConvTranspose").in(x, ctx.param("weight"));
        if (bias) {
            n.in(ctx.param("bias"));
        }
        return n.ints("kernel_shape", kernel.h(), kernel.w()).ints("strides", stride.h(), stride.w())
                .ints("pads", BuiltInLayers.pads(padding)).ints("output_padding", outputPadding.h(),
                        outputPadding.w()).out();
    }
}

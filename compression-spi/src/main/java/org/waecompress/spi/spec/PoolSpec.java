package org.waecompress.spi.spec;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.pooling.Pool;
import java.util.Locale;
import java.util.Objects;
import org.waecompress.spi.nn.FunctionBlock;

/**
 * Max or average pooling; {@code ceil} rounds the output size up as Caffe and some torchvision
 * models do.
 *
 * @param name the node name
 * @param mode {@code max} or {@code avg}
 * @param kernel window size
 * @param stride stride (defaults to the kernel)
 * @param padding padding
 * @param ceil whether to round the output size up
 */
public record PoolSpec(String name, String mode, HeightWidth kernel, HeightWidth stride, HeightWidth padding,
        boolean ceil)
        implements LayerSpec {

    /** Validates the record. */
    public PoolSpec {
        mode = mode == null ? "max" : mode.toLowerCase(Locale.ROOT);
        Objects.requireNonNull(kernel, "kernel");
        stride = stride == null ? kernel : stride;
        padding = padding == null ? HeightWidth.of(0) : padding;
        if (!mode.equals("max") && !mode.equals("avg")) {
            throw new SpecException("pool " + name + ": mode must be max or avg, got " + mode);
        }
        HeightWidth.check(HeightWidth.label("pool", name), kernel, stride, padding);
    }

    /**
     * Returns a max-pool.
     *
     * @param name the name
     * @param k the kernel size
     * @param s the stride
     * @param p the padding
     * @param ceil whether to round up
     * @return the node
     */
    public static PoolSpec max(String name, int k, int s, int p, boolean ceil) {
        return new PoolSpec(name, "max", HeightWidth.of(k), HeightWidth.of(s), HeightWidth.of(p), ceil);
    }

    @Override
    public String type() {
        return "pool";
    }

    @Override
    public QuantRole quantRole() {
        return mode.equals("max") ? QuantRole.PRESERVES : QuantRole.REQUANTIZES;
    }

    @Override
    public Shape route(Shape in, Router r) {
        BuiltInLayers.chw(in, r, "pool");
        return BuiltInLayers.spatialOut(in, (int) in.get(0), kernel, stride, padding, ceil, r);
    }

    @Override
    public Block build(Shape in, BuildContext ctx) {
        Shape k = BuiltInLayers.djl(kernel);
        Shape s = BuiltInLayers.djl(stride);
        Shape p = BuiltInLayers.djl(padding);
        if (mode.equals("max")) {
            return new FunctionBlock("maxPool", x -> Pool.maxPool2d(x, k, s, p, ceil), ctx.outShape());
        }
        return new FunctionBlock("avgPool", x -> Pool.avgPool2d(x, k, s, p, ceil, true), ctx.outShape());
    }

    @Override
    public String toOnnx(String x, Shape in, OnnxContext ctx) {
        OnnxNode n = ctx.op(mode.equals("max") ? "MaxPool" : "AveragePool").in(x)
                .ints("kernel_shape", kernel.h(), kernel.w()).ints("strides", stride.h(), stride.w())
                .ints("pads", BuiltInLayers.pads(padding)).attr("ceil_mode", ceil ? 1 : 0);
        if (mode.equals("avg")) {
            // DJL's avgPool2d is called with countIncludePad = true (torchvision's default)
            n.attr("count_include_pad", 1);
        }
        return n.out();
    }
}

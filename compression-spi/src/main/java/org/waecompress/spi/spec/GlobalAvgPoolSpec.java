package org.waecompress.spi.spec;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.pooling.Pool;
import org.waecompress.spi.nn.FunctionBlock;

/**
 * Global average pooling: {@code (C, H, W)} to {@code (C)}, or to {@code (C, 1, 1)} with {@code keepDims}
 * (squeeze-excitation's pooling, which 1x1 convolutions read, at any input size).
 *
 * @param name the node name
 * @param keepDims whether the output keeps its two spatial axes of size 1
 */
public record GlobalAvgPoolSpec(String name, boolean keepDims) implements LayerSpec {

    /**
     * Returns a global pool to {@code (C)}.
     *
     * @param name the node name
     */
    public GlobalAvgPoolSpec(String name) {
        this(name, false);
    }

    @Override
    public String type() {
        return "globalAvgPool";
    }

    @Override
    public QuantRole quantRole() {
        return QuantRole.REQUANTIZES;
    }

    @Override
    public Shape route(Shape in, Router r) {
        BuiltInLayers.chw(in, r, "globalAvgPool");
        return keepDims ? new Shape(in.get(0), 1, 1) : new Shape(in.get(0));
    }

    @Override
    public Block build(Shape in, BuildContext ctx) {
        if (keepDims) {
            // the mean over W, then over H (the engine takes one axis at a time with keepDims)
            return new FunctionBlock("globalAvgPool", x -> x.mean(new int[] {3}, true).mean(new int[] {2}, true),
                    ctx.outShape());
        }
        return new FunctionBlock("globalAvgPool", Pool::globalAvgPool2d, ctx.outShape());
    }

    @Override
    public String toOnnx(String x, Shape in, OnnxContext ctx) {
        String pooled = ctx.op("GlobalAveragePool").in(x).out();
        return keepDims ? pooled : ctx.op("Flatten").in(pooled).attr("axis", 1).out();
    }
}

package org.waecompress.spi.spec;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.pooling.Pool;
import org.waecompress.spi.nn.FunctionBlock;

/**
 * Global average pooling: {@code (C, H, W)} to {@code (C)}.
 *
 * @param name the node name
 */
public record GlobalAvgPoolSpec(String name) implements LayerSpec {
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
        return new Shape(in.get(0));
    }

    @Override
    public Block build(Shape in, BuildContext ctx) {
        return new FunctionBlock("globalAvgPool", Pool::globalAvgPool2d, ctx.outShape());
    }

    @Override
    public String toOnnx(String x, Shape in, OnnxContext ctx) {
        String pooled = ctx.op("GlobalAveragePool").in(x).out();
        return ctx.op("Flatten").in(pooled).attr("axis", 1).out();
    }
}

package org.waecompress.spi.spec;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import org.waecompress.spi.nn.FunctionBlock;

/**
 * Flattens all but the batch dimension.
 *
 * @param name the node name
 */
public record FlattenSpec(String name) implements LayerSpec {
    @Override
    public String type() {
        return "flatten";
    }

    @Override
    public QuantRole quantRole() {
        return QuantRole.PRESERVES;
    }

    @Override
    public Shape route(Shape in, Router r) {
        return new Shape(in.size());
    }

    @Override
    public Block build(Shape in, BuildContext ctx) {
        long n = in.size();
        return new FunctionBlock("flatten", x -> x.reshape(x.getShape().get(0), n), ctx.outShape());
    }

    @Override
    public String toOnnx(String x, Shape in, OnnxContext ctx) {
        return ctx.op("Flatten").in(x).attr("axis", 1).out();
    }
}

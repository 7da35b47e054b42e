package org.waecompress.spi.spec;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.Map;
import org.waecompress.spi.nn.FunctionBlock;

/**
 * A plugin-style node type registered through the test service file: multiplies its input.
 *
 * @param name the node name
 * @param factor the multiplier
 */
public record TestScaleNode(String name, double factor) implements LayerSpec {

    @Override
    public String type() {
        return "testScale";
    }

    @Override
    public Shape route(Shape in, Router router) {
        return in;
    }

    @Override
    public Block build(Shape in, BuildContext ctx) {
        return new FunctionBlock("scale", x -> x.mul(factor), ctx.outShape());
    }

    /** Registers the node type. */
    public static final class Provider implements NodeTypeProvider {
        @Override
        public Map<String, Class<? extends LayerSpec>> nodeTypes() {
            return Map.of("testScale", TestScaleNode.class);
        }
    }
}

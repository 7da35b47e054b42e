package org.waecompress.spi.train;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.Map;
import org.waecompress.spi.nn.FunctionBlock;
import org.waecompress.spi.spec.BuildContext;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.NodeTypeProvider;
import org.waecompress.spi.spec.Router;

/**
 * A node type that passes its input through and, like a block that forgets {@code StepScope},
 * leaves one array in the manager above the batch's (the network's) on every forward pass.
 *
 * @param name the node name
 */
public record TestLeakNode(String name) implements LayerSpec {

    @Override
    public String type() {
        return "testLeak";
    }

    @Override
    public Shape route(Shape in, Router router) {
        return in;
    }

    @Override
    public Block build(Shape in, BuildContext ctx) {
        return new FunctionBlock("leak", x -> {
            x.getManager().getParentManager().zeros(new Shape(1));
            return x;
        }, ctx.outShape());
    }

    /** Registers the node type. */
    public static final class Provider implements NodeTypeProvider {
        @Override
        public Map<String, Class<? extends LayerSpec>> nodeTypes() {
            return Map.of("testLeak", TestLeakNode.class);
        }
    }
}

package org.waecompress.tests.opaque;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.Map;
import org.waecompress.spi.nn.FunctionBlock;
import org.waecompress.spi.spec.BuildContext;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.NodeTypeProvider;
import org.waecompress.spi.spec.Router;

/**
 * A third party's node type without an ONNX lowering ({@code y = 2x}): networks holding it cannot be
 * exported, and runs time them on the PyTorch engine.
 *
 * @param name the node name
 */
public record OpaqueNode(String name) implements LayerSpec {

    @Override
    public String type() {
        return "testOpaque";
    }

    @Override
    public Shape route(Shape in, Router r) {
        return in;
    }

    @Override
    public Block build(Shape in, BuildContext ctx) {
        return new FunctionBlock("double", x -> x.mul(2), ctx.outShape());
    }

    /** Registers the node type. */
    public static final class Provider implements NodeTypeProvider {
        @Override
        public Map<String, Class<? extends LayerSpec>> nodeTypes() {
            return Map.of("testOpaque", OpaqueNode.class);
        }
    }
}

package org.waecompress.baselines.int8;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import java.util.List;
import java.util.Map;
import org.waecompress.spi.spec.BuildContext;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.NodeTypeProvider;
import org.waecompress.spi.spec.OnnxContext;
import org.waecompress.spi.spec.Router;

/**
 * A composite node type the int8 pass does not know (type {@code testPair}): its two children one after
 * the other, as a plugin's composite would be.
 *
 * @param name the node name
 * @param first the first child
 * @param second the second child
 */
public record TestPair(String name, LayerSpec first, LayerSpec second) implements LayerSpec {

    @Override
    public String type() {
        return "testPair";
    }

    @Override
    public List<LayerSpec> children() {
        return List.of(first, second);
    }

    @Override
    public LayerSpec withChildren(List<LayerSpec> children) {
        return new TestPair(name, children.get(0), children.get(1));
    }

    @Override
    public Shape route(Shape in, Router r) {
        return r.child(1, r.child(0, in));
    }

    @Override
    public Block build(Shape in, BuildContext ctx) {
        SequentialBlock b = new SequentialBlock();
        b.add(ctx.child(0, in));
        b.add(ctx.child(1, ctx.shapeOf(0, in)));
        return b;
    }

    @Override
    public String toOnnx(String x, Shape in, OnnxContext ctx) {
        return ctx.child(1, ctx.child(0, x, in), ctx.shapeOf(0, in));
    }

    /** Registers the node type for the tests. */
    public static final class Provider implements NodeTypeProvider {
        @Override
        public Map<String, Class<? extends LayerSpec>> nodeTypes() {
            return Map.of("testPair", TestPair.class);
        }
    }
}

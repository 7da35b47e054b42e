package org.waecompress.spi.spec;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import java.util.List;

/**
 * Children applied one after the other.
 *
 * @param name the node name
 * @param layers the children, in order
 */
public record SequentialSpec(String name, List<LayerSpec> layers) implements LayerSpec {

    /** Copies the children. */
    public SequentialSpec {
        layers = List.copyOf(layers);
    }

    /**
     * Returns a sequential node.
     *
     * @param name the name
     * @param layers the children
     * @return the node
     */
    public static SequentialSpec of(String name, LayerSpec... layers) {
        return new SequentialSpec(name, List.of(layers));
    }

    @Override
    public String type() {
        return "sequential";
    }

    @Override
    public List<LayerSpec> children() {
        return layers;
    }

    @Override
    public LayerSpec withChildren(List<LayerSpec> children) {
        return new SequentialSpec(name, children);
    }

    @Override
    public Shape route(Shape in, Router r) {
        Shape s = in;
        for (int i = 0; i < layers.size(); i++) {
            s = r.child(i, s);
        }
        return s;
    }

    @Override
    public Block build(Shape in, BuildContext ctx) {
        SequentialBlock seq = new SequentialBlock();
        Shape s = in;
        for (int i = 0; i < layers.size(); i++) {
            seq.add(ctx.child(i, s));
            s = ctx.shapeOf(i, s);
        }
        return seq;
    }

    @Override
    public String toOnnx(String x, Shape in, OnnxContext ctx) {
        String v = x;
        Shape s = in;
        for (int i = 0; i < layers.size(); i++) {
            v = ctx.child(i, v, s);
            s = ctx.shapeOf(i, s);
        }
        return v;
    }
}

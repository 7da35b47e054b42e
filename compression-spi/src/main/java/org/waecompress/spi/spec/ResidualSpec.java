package org.waecompress.spi.spec;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.List;
import java.util.Objects;
import org.waecompress.spi.nn.MergeBlock;

/**
 * A residual block: {@code activation(body(x) + shortcut(x))}, with the identity when there is
 * no shortcut.
 *
 * @param name the node name
 * @param body the main path
 * @param shortcut the projection path, or null for the identity
 * @param activation the activation after the addition ({@code relu}), or null for none
 */
public record ResidualSpec(String name, LayerSpec body, LayerSpec shortcut, String activation)
        implements LayerSpec {

    /** Validates the record. */
    public ResidualSpec {
        Objects.requireNonNull(body, "body");
        if (activation != null && !activation.equals("relu")) {
            throw new SpecException("residual " + name + ": activation must be relu or absent");
        }
    }

    @Override
    public String type() {
        return "residual";
    }

    @Override
    public List<LayerSpec> children() {
        return shortcut == null ? List.of(body) : List.of(body, shortcut);
    }

    @Override
    public LayerSpec withChildren(List<LayerSpec> children) {
        return new ResidualSpec(name, children.get(0), children.size() > 1 ? children.get(1) : null, activation);
    }

    @Override
    public Shape route(Shape in, Router r) {
        Shape main = r.child(0, in);
        Shape side = shortcut == null ? in : r.child(1, in);
        if (!main.equals(side)) {
            throw r.mismatch("residual addition: body output vs shortcut output", main, side);
        }
        return main;
    }

    @Override
    public Block build(Shape in, BuildContext ctx) {
        Block b = ctx.child(0, in);
        Block s = shortcut == null ? null : ctx.child(1, in);
        return MergeBlock.residual(b, s, "relu".equals(activation), ctx.outShape());
    }

    @Override
    public String toOnnx(String x, Shape in, OnnxContext ctx) {
        String main = ctx.child(0, x, in);
        String side = shortcut == null ? x : ctx.child(1, x, in);
        String sum = ctx.op("Add").in(main, side).out();
        return "relu".equals(activation) ? ctx.op("Relu").in(sum).out() : sum;
    }
}

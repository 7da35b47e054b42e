package org.waecompress.spi.spec;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.List;
import java.util.Objects;
import org.waecompress.spi.nn.GateBlock;

/**
 * A gate: {@code x * gate(x)}, the input multiplied element-wise by what the gate computes from it,
 * either a value per element (SiLU's {@code x * sigmoid(x)}, hard-swish written as {@code x *
 * hardsigmoid(x)}) or a value per channel, {@code (C, 1, 1)}, broadcast over the positions
 * (squeeze-and-excitation: global pooling, two 1x1 convolutions, a sigmoid).
 *
 * @param name the node name
 * @param gate the path computing the factors
 */
public record GateSpec(String name, LayerSpec gate) implements LayerSpec {

    /** Validates the record. */
    public GateSpec {
        Objects.requireNonNull(gate, "gate");
    }

    @Override
    public String type() {
        return "gate";
    }

    @Override
    public List<LayerSpec> children() {
        return List.of(gate);
    }

    @Override
    public LayerSpec withChildren(List<LayerSpec> children) {
        return new GateSpec(name, children.get(0));
    }

    @Override
    public Shape route(Shape in, Router r) {
        Shape g = r.child(0, in);
        boolean perChannel = in.dimension() == 3 && g.equals(new Shape(in.get(0), 1, 1));
        if (!g.equals(in) && !perChannel) {
            throw r.mismatch("gate output (the input's shape, or one value per channel)", in, g);
        }
        return in;
    }

    @Override
    public Block build(Shape in, BuildContext ctx) {
        return new GateBlock(ctx.child(0, in), ctx.outShape());
    }

    @Override
    public String toOnnx(String x, Shape in, OnnxContext ctx) {
        return ctx.op("Mul").in(x, ctx.child(0, x, in)).out();
    }
}

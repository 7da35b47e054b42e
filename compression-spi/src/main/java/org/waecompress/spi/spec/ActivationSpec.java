package org.waecompress.spi.spec;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import java.util.List;
import java.util.Locale;
import org.waecompress.spi.nn.FunctionBlock;

/**
 * An element-wise activation.
 *
 * @param name the node name
 * @param kind {@code relu}, {@code sigmoid} or {@code tanh}
 */
public record ActivationSpec(String name, String kind) implements LayerSpec {

    /** Validates the record. */
    public ActivationSpec {
        kind = kind == null ? "relu" : kind.toLowerCase(Locale.ROOT);
        if (!List.of("relu", "sigmoid", "tanh").contains(kind)) {
            throw new SpecException("activation " + name + ": unknown kind '" + kind
                    + "'; expected relu, sigmoid or tanh");
        }
    }

    /**
     * Returns a ReLU.
     *
     * @param name the name
     * @return the node
     */
    public static ActivationSpec relu(String name) {
        return new ActivationSpec(name, "relu");
    }

    @Override
    public String type() {
        return "activation";
    }

    @Override
    public QuantRole quantRole() {
        return kind.equals("relu") ? QuantRole.RELU : QuantRole.FLOAT;
    }

    @Override
    public Shape route(Shape in, Router r) {
        return in;
    }

    @Override
    public Block build(Shape in, BuildContext ctx) {
        return switch (kind) {
            case "sigmoid" -> new FunctionBlock("sigmoid", Activation::sigmoid, ctx.outShape());
            case "tanh" -> new FunctionBlock("tanh", Activation::tanh, ctx.outShape());
            default -> new FunctionBlock("relu", Activation::relu, ctx.outShape());
        };
    }

    @Override
    public String toOnnx(String x, Shape in, OnnxContext ctx) {
        return ctx.op(switch (kind) {
            case "sigmoid" -> "Sigmoid";
            case "tanh" -> "Tanh";
            default -> "Relu";
        }).in(x).out();
    }
}

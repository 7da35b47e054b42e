package org.waecompress.spi.spec;

import ai.djl.ndarray.NDArray;
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
 * @param kind {@code relu}, {@code relu6} (ReLU clipped at 6, ONNX's {@code Clip(0, 6)}), {@code sigmoid},
 *     {@code tanh}, {@code hardsigmoid} ({@code clip(x / 6 + 1/2, 0, 1)}, PyTorch's, ONNX's {@code HardSigmoid}
 *     with alpha 1/6) or {@code hardswish} ({@code x * hardsigmoid(x)})
 */
public record ActivationSpec(String name, String kind) implements LayerSpec {

    /** Validates the record. */
    public ActivationSpec {
        kind = kind == null ? "relu" : kind.toLowerCase(Locale.ROOT);
        if (!KINDS.contains(kind)) {
            throw new SpecException("activation " + name + ": unknown kind '" + kind
                    + "'; expected one of " + String.join(", ", KINDS));
        }
    }

    /** The kinds this node computes. */
    public static final List<String> KINDS = List.of("relu", "relu6", "sigmoid", "tanh", "hardsigmoid", "hardswish");

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
        // ReLU6's output lies in [0, 6], so the quantization after it (a range from 0 to at most 6) computes the
        // clip too, and ONNX Runtime drops the Clip into the quantize step as it drops a Relu
        return kind.equals("relu") || kind.equals("relu6") ? QuantRole.RELU : QuantRole.FLOAT;
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
            case "relu6" -> new FunctionBlock("relu6", Activation::relu6, ctx.outShape());
            case "hardsigmoid" -> new FunctionBlock("hardsigmoid", ActivationSpec::hardSigmoid, ctx.outShape());
            case "hardswish" -> new FunctionBlock("hardswish", x -> x.mul(hardSigmoid(x)), ctx.outShape());
            default -> new FunctionBlock("relu", Activation::relu, ctx.outShape());
        };
    }

    private static NDArray hardSigmoid(NDArray x) {
        return x.mul(1f / 6).add(0.5f).clip(0, 1);
    }

    @Override
    public String toOnnx(String x, Shape in, OnnxContext ctx) {
        return switch (kind) {
            case "relu6" -> ctx.op("Clip").in(x, ctx.floats("min", new float[] {0f}), ctx.floats("max",
                    new float[] {6f})).out();
            case "hardsigmoid" -> ctx.op("HardSigmoid").in(x).attr("alpha", 1.0 / 6).attr("beta", 0.5).out();
            case "hardswish" -> ctx.op("HardSwish").in(x).out();
            case "sigmoid" -> ctx.op("Sigmoid").in(x).out();
            case "tanh" -> ctx.op("Tanh").in(x).out();
            default -> ctx.op("Relu").in(x).out();
        };
    }
}

package org.waecompress.spi.spec;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.List;

/**
 * A fully connected layer on a feature vector (torchvision {@code Linear}).
 *
 * @param name the node name
 * @param in input features
 * @param out output features
 * @param bias whether the layer adds a bias
 */
public record LinearSpec(String name, int in, int out, boolean bias) implements LayerSpec {

    /** Validates the record. */
    public LinearSpec {
        if (in < 1 || out < 1) {
            throw new SpecException("linear " + name + ": in=" + in + " out=" + out + " must be positive");
        }
    }

    @Override
    public String type() {
        return "linear";
    }

    @Override
    public QuantRole quantRole() {
        return QuantRole.WEIGHTED;
    }

    @Override
    public LayerSpec withInt8Weights(float inputScale) {
        return new Int8Spec(name, this, inputScale);
    }

    @Override
    public Shape route(Shape in, Router r) {
        if (in.dimension() != 1 || in.get(0) != this.in) {
            throw r.mismatch("linear input", "(" + this.in + ")", in);
        }
        return new Shape(out);
    }

    @Override
    public List<ParamDef> params(Shape in) {
        List<ParamDef> p = new ArrayList<>();
        p.add(new ParamDef("weight", new Shape(out, this.in), ParamKind.WEIGHT));
        if (bias) {
            p.add(new ParamDef("bias", new Shape(out), ParamKind.BIAS));
        }
        return p;
    }

    @Override
    public long macs(Shape in, Shape out) {
        return (long) this.in * this.out;
    }

    @Override
    public LayerSpec withInput(Shape in) {
        return new LinearSpec(name, (int) in.get(0), out, bias);
    }

    /**
     * Returns a copy with another number of outputs.
     *
     * @param n the new output count
     * @return the node
     */
    public LinearSpec withOut(int n) {
        return new LinearSpec(name, in, n, bias);
    }

    @Override
    public Block build(Shape in, BuildContext ctx) {
        Linear linear = Linear.builder().setUnits(out).optBias(bias).build();
        ctx.register("weight", linear.getParameters().get("weight"));
        if (bias) {
            ctx.register("bias", linear.getParameters().get("bias"));
        }
        return linear;
    }

    @Override
    public String toOnnx(String x, Shape in, OnnxContext ctx) {
        return lower(x, ctx.param("weight"), bias ? ctx.param("bias") : null, ctx);
    }

    /** The Gemm operator on given weight and bias values (the float initializers, or dequantized int8 ones). */
    String lower(String x, String weight, String biasValue, OnnxContext ctx) {
        OnnxNode n = ctx.op("Gemm").in(x, weight);
        if (biasValue != null) {
            n.in(biasValue);
        }
        return n.attr("transB", 1).out();
    }
}

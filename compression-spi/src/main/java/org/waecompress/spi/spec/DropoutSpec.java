package org.waecompress.spi.spec;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.norm.Dropout;

/**
 * Dropout (active only in training).
 *
 * @param name the node name
 * @param rate the probability of zeroing an element
 */
public record DropoutSpec(String name, double rate) implements LayerSpec {

    /** Validates the record. */
    public DropoutSpec {
        if (rate < 0 || rate >= 1) {
            throw new SpecException("dropout " + name + ": rate must be in [0, 1), got " + rate);
        }
    }

    @Override
    public String type() {
        return "dropout";
    }

    @Override
    public QuantRole quantRole() {
        return QuantRole.PRESERVES;
    }

    @Override
    public Shape route(Shape in, Router r) {
        return in;
    }

    @Override
    public Block build(Shape in, BuildContext ctx) {
        return Dropout.builder().optRate((float) rate).build();
    }

    /** Dropout is the identity at inference, so it adds nothing to the graph. */
    @Override
    public String toOnnx(String x, Shape in, OnnxContext ctx) {
        return x;
    }
}

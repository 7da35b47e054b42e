package org.waecompress.spi.spec;

import java.util.List;

/**
 * One ONNX operator being added by {@link OnnxContext#op}: its inputs and attributes, then {@link
 * #out()} (or {@link #outs(int)}) adds it to the graph and names its outputs.
 */
public interface OnnxNode {

    /**
     * Appends inputs, in order; an empty string stands for an omitted optional input.
     *
     * @param values value names
     * @return this
     */
    OnnxNode in(String... values);

    /**
     * Sets an integer attribute.
     *
     * @param name the attribute
     * @param value its value
     * @return this
     */
    OnnxNode attr(String name, long value);

    /**
     * Sets a float attribute.
     *
     * @param name the attribute
     * @param value its value (stored as float)
     * @return this
     */
    OnnxNode attr(String name, double value);

    /**
     * Sets a string attribute.
     *
     * @param name the attribute
     * @param value its value
     * @return this
     */
    OnnxNode attr(String name, String value);

    /**
     * Sets an integer-list attribute.
     *
     * @param name the attribute
     * @param values its values
     * @return this
     */
    OnnxNode ints(String name, long... values);

    /**
     * Sets a float-list attribute.
     *
     * @param name the attribute
     * @param values its values
     * @return this
     */
    OnnxNode floats(String name, float... values);

    /**
     * Adds the operator with one output.
     *
     * @return the output's value name
     */
    String out();

    /**
     * Adds the operator with several outputs.
     *
     * @param count how many
     * @return the outputs' value names, in order
     */
    List<String> outs(int count);
}

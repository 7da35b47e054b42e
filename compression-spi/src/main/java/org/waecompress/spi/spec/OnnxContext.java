package org.waecompress.spi.spec;

import ai.djl.ndarray.types.Shape;

/**
 * Given to {@link LayerSpec#toOnnx}: lowers children, names this node's parameters as ONNX
 * initializers, adds constants and operators to the graph being exported.
 *
 * <p>Values are named by strings (ONNX's value names). Shapes passed around here are the spec's
 * shapes, without the batch dimension; every value in the graph carries the batch as its first axis,
 * so an operator that works on channels uses axis 1, as in NCHW.
 *
 * <p>The exporter names each operator after the node's path and its type ({@code features.0/Conv}),
 * so profiles and error messages lead back to the spec.
 */
public interface OnnxContext {

    /**
     * Lowers child {@code index} of the node being lowered.
     *
     * @param index the child's index in {@link LayerSpec#children()}
     * @param input the value the child reads
     * @param in the child's input shape (without batch)
     * @return the value the child produces
     */
    String child(int index, String input, Shape in);

    /**
     * Routes a shape through child {@code index} without lowering it.
     *
     * @param index the child's index
     * @param in the child's input shape
     * @return the child's output shape
     */
    Shape shapeOf(int index, Shape in);

    /**
     * Returns the output shape of the node being lowered (without batch).
     *
     * @return the shape the spec infers
     */
    Shape outShape();

    /**
     * Returns the dotted path of the node being lowered (empty for the root).
     *
     * @return the path
     */
    String path();

    /**
     * Returns the initializer that holds one of this node's parameters (as {@link
     * LayerSpec#params} declares it), with the network's values and the declared shape.
     *
     * @param localName the local name, e.g. {@code weight}
     * @return the initializer's value name
     */
    String param(String localName);

    /**
     * Returns an initializer holding one of this node's parameters with another shape of the same
     * size (a per-channel vector as {@code (C, 1, 1)} to broadcast over NCHW, for example).
     *
     * @param localName the local name
     * @param shape the shape; its element count must equal the parameter's
     * @return the initializer's value name
     */
    String param(String localName, long... shape);

    /**
     * Adds a float constant.
     *
     * @param hint a short name, made unique under the node's path
     * @param values the values, row-major
     * @param shape the shape (empty for a scalar)
     * @return the initializer's value name
     */
    String floats(String hint, float[] values, long... shape);

    /**
     * Returns the values of one of this node's parameters (row-major, as {@link LayerSpec#params}
     * declares its shape): what a node that stores its weights in another form (int8) computes from.
     *
     * @param localName the local name
     * @return a copy of the values
     */
    float[] paramValues(String localName);

    /**
     * Adds an 8-bit integer constant (quantized weights, zero points).
     *
     * @param hint a short name, made unique under the node's path
     * @param values the values, row-major; for {@code unsigned} each byte is read as 0..255
     * @param unsigned true for ONNX's UINT8, false for INT8
     * @param shape the shape (empty for a scalar)
     * @return the initializer's value name
     */
    String bytes(String hint, byte[] values, boolean unsigned, long... shape);

    /**
     * Adds an int32 constant (quantized biases and their zero points).
     *
     * @param hint a short name, made unique under the node's path
     * @param values the values, row-major
     * @param shape the shape (empty for a scalar)
     * @return the initializer's value name
     */
    String int32s(String hint, int[] values, long... shape);

    /**
     * Adds a one-dimensional int64 constant (axes, sizes, slice bounds).
     *
     * @param hint a short name, made unique under the node's path
     * @param values the values
     * @return the initializer's value name
     */
    String longs(String hint, long... values);

    /**
     * Starts an operator of the default ONNX domain, at the exported opset.
     *
     * @param opType the ONNX operator, e.g. {@code Conv}
     * @return a builder; its {@link OnnxNode#out()} adds it to the graph
     */
    OnnxNode op(String opType);

    /**
     * Makes a value an output of the exported graph besides the network's own output (WAE's
     * auto-encoder exports I_L and I_H this way). The main output is always the first.
     *
     * @param name the output's name in the file
     * @param value the value
     * @param shape its shape without batch
     */
    void extraOutput(String name, String value, Shape shape);
}

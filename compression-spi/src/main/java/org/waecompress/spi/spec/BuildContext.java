package org.waecompress.spi.spec;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;

/** Given to {@link LayerSpec#build}: builds children and registers parameters by name. */
public interface BuildContext {

    /**
     * Builds child {@code index} of the node being built.
     *
     * @param index the child's index
     * @param in the child's input shape
     * @return the child's block
     */
    Block child(int index, Shape in);

    /**
     * Routes a shape through child {@code index} without building it.
     *
     * @param index the child's index
     * @param in the child's input shape
     * @return the child's output shape
     */
    Shape shapeOf(int index, Shape in);

    /**
     * Returns the output shape of the node being built (without batch dimension).
     *
     * @return the shape the spec infers for this node's output
     */
    Shape outShape();

    /**
     * Registers a DJL parameter under the node's path and a local name from {@link LayerSpec#params}.
     *
     * @param localName the local name, e.g. {@code weight}
     * @param parameter the block's parameter object
     */
    void register(String localName, Parameter parameter);

    /**
     * Registers a DJL parameter that the spec does not expose and that must hold a constant (the
     * scale and shift of a non-affine batch-norm).
     *
     * @param parameter the block's parameter object
     * @param shape the tensor's shape
     * @param value the constant every element holds
     */
    void constant(Parameter parameter, Shape shape, float value);
}

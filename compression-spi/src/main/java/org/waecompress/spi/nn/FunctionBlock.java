package org.waecompress.spi.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.function.UnaryOperator;

/**
 * A parameter-free block applying one tensor function, whose output shape comes from the spec.
 *
 * <p>DJL's {@code LambdaBlock} finds its output shape by running the function on zeros; ours is
 * known from the spec, so initialisation stays cheap.
 */
public final class FunctionBlock extends AbstractBlock {

    private final String label;
    private final UnaryOperator<NDArray> function;
    private final Shape outShape;

    /**
     * Creates the block.
     *
     * @param label a short name for printing
     * @param function the function of the single input
     * @param outShape the output shape without batch dimension
     */
    public FunctionBlock(String label, UnaryOperator<NDArray> function, Shape outShape) {
        this.label = label;
        this.function = function;
        this.outShape = outShape;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        return new NDList(function.apply(inputs.singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0)).addAll(outShape)};
    }

    @Override
    protected void initializeChildBlocks(ai.djl.ndarray.NDManager manager, DataType dataType,
            Shape... inputShapes) {
        // no children
    }

    @Override
    public String toString() {
        return label + "()";
    }
}

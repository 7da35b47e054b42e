package org.waecompress.spi.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * {@code x * gate(x)}: the input multiplied element-wise by what its one child computes from it, broadcast
 * over the positions when the child gives one value per channel (squeeze-excitation, SiLU, hard-swish).
 */
public final class GateBlock extends AbstractBlock {

    private final Block gate;
    private final Shape outShape;

    /**
     * Creates the block.
     *
     * @param gate the child computing the factors
     * @param outShape the output shape without batch dimension (the input's)
     */
    public GateBlock(Block gate, Shape outShape) {
        this.gate = addChildBlock("gate", gate);
        this.outShape = outShape;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray g = gate.forward(ps, inputs, training).singletonOrThrow();
        return new NDList(x.mul(g));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        gate.initialize(manager, dataType, inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0)).addAll(outShape)};
    }
}

package org.waecompress.spi.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;

/** Children that all read the block's input, merged by addition (residual) or concatenation. */
public final class MergeBlock extends AbstractBlock {

    private final List<Block> branches;
    private final boolean add;
    private final boolean identity;
    private final boolean relu;
    private final Shape outShape;

    private MergeBlock(List<Block> branches, boolean add, boolean identity, boolean relu, Shape outShape) {
        this.branches = branches;
        this.add = add;
        this.identity = identity;
        this.relu = relu;
        this.outShape = outShape;
        for (int i = 0; i < branches.size(); i++) {
            addChildBlock("branch" + i, branches.get(i));
        }
    }

    /**
     * Creates a residual block {@code relu?(body(x) + shortcut(x))}.
     *
     * @param body the main path
     * @param shortcut the projection, or null for the identity
     * @param relu whether a ReLU follows the addition
     * @param outShape the output shape without batch dimension
     * @return the block
     */
    public static MergeBlock residual(Block body, Block shortcut, boolean relu, Shape outShape) {
        List<Block> b = shortcut == null ? List.of(body) : List.of(body, shortcut);
        return new MergeBlock(b, true, shortcut == null, relu, outShape);
    }

    /**
     * Creates a block that concatenates its branches along the channel axis.
     *
     * @param branches the branches
     * @param outShape the output shape without batch dimension
     * @return the block
     */
    public static MergeBlock concat(List<Block> branches, Shape outShape) {
        return new MergeBlock(List.copyOf(branches), false, false, false, outShape);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        if (add) {
            NDArray main = branches.get(0).forward(ps, inputs, training).singletonOrThrow();
            NDArray side = identity ? inputs.singletonOrThrow()
                    : branches.get(1).forward(ps, inputs, training).singletonOrThrow();
            NDArray sum = main.add(side);
            return new NDList(relu ? Activation.relu(sum) : sum);
        }
        NDList outs = new NDList(branches.size());
        for (Block b : branches) {
            outs.add(b.forward(ps, inputs, training).singletonOrThrow());
        }
        return new NDList(NDArrays.concat(outs, 1));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Block b : branches) {
            b.initialize(manager, dataType, inputShapes);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0)).addAll(outShape)};
    }
}

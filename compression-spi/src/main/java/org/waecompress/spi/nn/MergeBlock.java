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
import ai.djl.nn.convolutional.Conv2d;
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
    private final Shape convStride;
    private final Shape convPadding;

    private MergeBlock(List<Block> branches, boolean add, boolean identity, boolean relu, Shape outShape) {
        this(branches, add, identity, relu, outShape, null, null);
    }

    private MergeBlock(List<Block> branches, boolean add, boolean identity, boolean relu, Shape outShape,
            Shape convStride, Shape convPadding) {
        this.convStride = convStride;
        this.convPadding = convPadding;
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

    /**
     * Creates a concatenation of convolutions that all read the same input with the same geometry
     * (kernel, stride, padding, bias or not; groups 1). It computes them as one convolution whose
     * filters are the branches' filters stacked, which is the same arithmetic in one kernel call:
     * oneDNN is much slower on several convolutions with few filters each (WAE's split: two 3-filter
     * stride-2 convolutions at 224x224 take twice as long as one with 6 filters). Each branch keeps its
     * own parameters.
     *
     * @param convs the convolutions
     * @param stride their stride
     * @param padding their padding
     * @param outShape the output shape without the batch axis
     * @return the block
     */
    public static MergeBlock concatConvolutions(List<Conv2d> convs, Shape stride, Shape padding, Shape outShape) {
        return new MergeBlock(List.copyOf(convs), false, false, false, outShape, stride, padding);
    }

    /** Returns whether this block runs its convolution branches as one stacked convolution. */
    boolean stacksConvolutions() {
        return convStride != null;
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
        if (convStride != null) {
            NDArray x = inputs.singletonOrThrow();
            NDList weights = new NDList(branches.size());
            NDList biases = new NDList(branches.size());
            for (Block b : branches) {
                weights.add(ps.getValue(b.getParameters().get("weight"), x.getDevice(), training));
                if (b.getParameters().contains("bias")) {
                    biases.add(ps.getValue(b.getParameters().get("bias"), x.getDevice(), training));
                }
            }
            NDArray w = StepScope.of(NDArrays.concat(weights, 0), x);
            NDArray bias = biases.isEmpty() ? null : StepScope.of(NDArrays.concat(biases, 0), x);
            return Conv2d.conv2d(x, w, bias, convStride, convPadding, new Shape(1, 1), 1);
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

package org.waecompress.wae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;
import org.waecompress.spi.spec.BuildContext;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.OnnxContext;
import org.waecompress.spi.spec.Router;

/**
 * WAE's decoder (type {@code waeDecoder}): {@code I' = low(I_L) + high(I_H)}, where {@code [I_L |
 * I_H]} is its input split after {@code lowChannels} channels (the paper's eq. 2).
 *
 * @param name the node name
 * @param lowChannels how many input channels are I_L
 * @param low the branch decoding I_L
 * @param high the branch decoding I_H
 */
public record WaeDecoder(String name, int lowChannels, LayerSpec low, LayerSpec high) implements LayerSpec {

    @Override
    public String type() {
        return "waeDecoder";
    }

    @Override
    public List<LayerSpec> children() {
        return List.of(low, high);
    }

    @Override
    public LayerSpec withChildren(List<LayerSpec> c) {
        return new WaeDecoder(name, lowChannels, c.get(0), c.get(1));
    }

    @Override
    public Shape route(Shape in, Router r) {
        if (in.dimension() != 3 || in.get(0) <= lowChannels) {
            throw r.mismatch("decoder input", "(more than " + lowChannels + ", H, W)", in);
        }
        Shape a = r.child(0, new Shape(lowChannels, in.get(1), in.get(2)));
        Shape b = r.child(1, new Shape(in.get(0) - lowChannels, in.get(1), in.get(2)));
        if (!a.equals(b)) {
            throw r.mismatch("decoder branches' outputs", a, b);
        }
        return a;
    }

    @Override
    public Block build(Shape in, BuildContext ctx) {
        Shape sl = new Shape(lowChannels, in.get(1), in.get(2));
        Shape sh = new Shape(in.get(0) - lowChannels, in.get(1), in.get(2));
        return new SumBlock(ctx.child(0, sl), sl, ctx.child(1, sh), sh, lowChannels, ctx.outShape());
    }

    @Override
    public String toOnnx(String x, Shape in, OnnxContext ctx) {
        List<String> parts = WaeClassifier.splitChannels(ctx, x, lowChannels, in.get(0));
        String a = ctx.child(0, parts.get(0), new Shape(lowChannels, in.get(1), in.get(2)));
        String b = ctx.child(1, parts.get(1), new Shape(in.get(0) - lowChannels, in.get(1), in.get(2)));
        return ctx.op("Add").in(a, b).out();
    }

    /** The decoder's block: two branches on channel slices, summed. */
    static final class SumBlock extends AbstractBlock {
        private final Block low;
        private final Block high;
        private final Shape lowIn;
        private final Shape highIn;
        private final int lowChannels;
        private final Shape out;

        SumBlock(Block low, Shape lowIn, Block high, Shape highIn, int lowChannels, Shape out) {
            this.low = addChildBlock("low", low);
            this.high = addChildBlock("high", high);
            this.lowIn = lowIn;
            this.highIn = highIn;
            this.lowChannels = lowChannels;
            this.out = out;
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                PairList<String, Object> params) {
            NDArray s = inputs.singletonOrThrow();
            long c = s.getShape().get(1);
            NDArray a = low.forward(ps, new NDList(s.get(":, 0:" + lowChannels)), training).singletonOrThrow();
            NDArray b = high.forward(ps, new NDList(s.get(":, " + lowChannels + ":" + c)), training)
                    .singletonOrThrow();
            return new NDList(a.add(b));
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            long n = inputShapes[0].get(0);
            low.initialize(manager, dataType, new Shape(n).addAll(lowIn));
            high.initialize(manager, dataType, new Shape(n).addAll(highIn));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {new Shape(inputShapes[0].get(0)).addAll(out)};
        }
    }
}

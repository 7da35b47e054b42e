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

/** The DJL block of {@link WaeClassifier} and {@link WaeAutoencoder}. */
final class WaeBlock extends AbstractBlock {

    /**
     * A child block and its input shape (without batch).
     *
     * @param block the block
     * @param in its input shape
     */
    record Part(Block block, Shape in) {}

    private final Part[] parts;
    private final int lowChannels;
    private final Shape outShape;
    private final boolean autoencoder;

    WaeBlock(Part[] parts, int lowChannels, Shape outShape, boolean autoencoder) {
        this.parts = parts;
        this.lowChannels = lowChannels;
        this.outShape = outShape;
        this.autoencoder = autoencoder;
        String[] names = {"encoder", "split", "normLow", "normHigh", "low", "lowHead", "high", "fusionHead", "decoder"};
        for (int i = 0; i < parts.length; i++) {
            if (parts[i] != null) {
                addChildBlock(names[i], parts[i].block());
            }
        }
    }

    private NDArray run(int slot, ParameterStore ps, NDArray x, boolean training) {
        return parts[slot].block().forward(ps, new NDList(x), training).singletonOrThrow();
    }

    private boolean has(int slot) {
        return parts[slot] != null;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray enc = has(WaeClassifier.ENC) ? run(WaeClassifier.ENC, ps, x, training) : x;
        NDArray s = run(WaeClassifier.SPLIT, ps, enc, training);
        long c = s.getShape().get(1);
        NDArray il = s.get(":, 0:" + lowChannels);
        NDArray ih = s.get(":, " + lowChannels + ":" + c);
        if (autoencoder) {
            return new NDList(run(WaeClassifier.DEC, ps, s, training), il, ih);
        }
        NDArray nl = has(WaeClassifier.NORM_L) ? run(WaeClassifier.NORM_L, ps, il, training) : il;
        NDArray fl = run(WaeClassifier.LOW, ps, nl, training);
        NDArray logits = run(WaeClassifier.LOW_HEAD, ps, fl, training);
        if (has(WaeClassifier.HIGH)) {
            NDArray nh = has(WaeClassifier.NORM_H) ? run(WaeClassifier.NORM_H, ps, ih, training) : ih;
            NDArray fh = run(WaeClassifier.HIGH, ps, nh, training);
            logits = logits.add(run(WaeClassifier.FUSION, ps, fl.concat(fh, 1), training));
        }
        if (!training) {
            return new NDList(logits);
        }
        NDList out = new NDList(logits, il, ih);
        if (has(WaeClassifier.DEC)) {
            out.add(run(WaeClassifier.DEC, ps, s, training));
        }
        return out;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long batch = inputShapes[0].get(0);
        for (Part p : parts) {
            if (p != null) {
                p.block().initialize(manager, dataType, new Shape(batch).addAll(p.in()));
            }
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0)).addAll(outShape)};
    }
}

package org.waecompress.wae;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.List;
import java.util.Objects;
import org.waecompress.spi.spec.BuildContext;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.OnnxContext;
import org.waecompress.spi.spec.Router;

/**
 * WAE's auto-encoder alone (type {@code waeAutoencoder}): encoder, split and decoder, for training
 * stage 1 and for looking at I_L and I_H. Its children carry the same names as in {@link
 * WaeClassifier}, so weights move between the two by name. Its block returns {@code
 * [reconstruction, I_L, I_H]} in both modes.
 *
 * @param name the node name
 * @param encoder the full-resolution convolutions
 * @param split produces {@code [I_L | I_H]}
 * @param lowChannels how many of the split's channels are I_L
 * @param decoder reconstructs the input from the split
 */
public record WaeAutoencoder(String name, LayerSpec encoder, LayerSpec split, int lowChannels, LayerSpec decoder)
        implements LayerSpec {

    /** Validates the record. */
    public WaeAutoencoder {
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(decoder, "decoder");
    }

    @Override
    public String type() {
        return "waeAutoencoder";
    }

    @Override
    public List<LayerSpec> children() {
        return List.of(encoder, split, decoder);
    }

    @Override
    public LayerSpec withChildren(List<LayerSpec> c) {
        return new WaeAutoencoder(name, c.get(0), c.get(1), lowChannels, c.get(2));
    }

    @Override
    public Shape route(Shape in, Router r) {
        Shape s = r.child(1, r.child(0, in));
        Shape rec = r.child(2, s);
        if (!rec.equals(in)) {
            throw r.mismatch("decoder output vs input", in, rec);
        }
        return rec;
    }

    @Override
    public Block build(Shape in, BuildContext ctx) {
        Shape enc = ctx.shapeOf(0, in);
        Shape s = ctx.shapeOf(1, enc);
        WaeBlock.Part[] parts = new WaeBlock.Part[9];
        parts[WaeClassifier.ENC] = new WaeBlock.Part(ctx.child(0, in), in);
        parts[WaeClassifier.SPLIT] = new WaeBlock.Part(ctx.child(1, enc), enc);
        parts[WaeClassifier.DEC] = new WaeBlock.Part(ctx.child(2, s), s);
        return new WaeBlock(parts, lowChannels, ctx.outShape(), true);
    }

    /**
     * Lowers the auto-encoder: its output is the reconstruction, and I_L and I_H are the graph's
     * extra outputs {@code I_L} and {@code I_H}, in the block's order.
     */
    @Override
    public String toOnnx(String x, Shape in, OnnxContext ctx) {
        Shape enc = ctx.shapeOf(0, in);
        Shape s = ctx.shapeOf(1, enc);
        String split = ctx.child(1, ctx.child(0, x, in), enc);
        List<String> parts = WaeClassifier.splitChannels(ctx, split, lowChannels, s.get(0));
        String rec = ctx.child(2, split, s);
        ctx.extraOutput("I_L", parts.get(0), new Shape(lowChannels, s.get(1), s.get(2)));
        ctx.extraOutput("I_H", parts.get(1), new Shape(s.get(0) - lowChannels, s.get(1), s.get(2)));
        return rec;
    }
}

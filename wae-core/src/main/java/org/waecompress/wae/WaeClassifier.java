package org.waecompress.wae;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.waecompress.spi.spec.BuildContext;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.OnnxContext;
import org.waecompress.spi.spec.Router;
import org.waecompress.spi.spec.SpecException;

/**
 * The WAE classification network as one spec node (type {@code waeClassifier}).
 *
 * <pre>
 *   x -> encoder? -> split -> s = [I_L | I_H]        (lowChannels + rest channels, H/2 x W/2)
 *   I_L -> normLow? -> low  -> f_L -> lowHead           -> score_L
 *   I_H -> normHigh? -> high -> f_H; concat(f_L, f_H) -> fusionHead -> score_F
 *   logits = score_L + score_F          (score_L alone when there is no high branch)
 *   training only: decoder(s) -> reconstruction of x
 * </pre>
 *
 * <p>In training mode the block returns {@code [logits, I_L, I_H]} plus the reconstruction when a
 * decoder is present; in inference mode only the logits. The sub-images are taken before the
 * optional normalisation, so the energy loss acts on what the encoder produces.
 *
 * @param name the node name
 * @param encoder full-resolution convolutions before the split, or null (the wavelet baseline)
 * @param split produces {@code [I_L | I_H]} at half resolution
 * @param lowChannels how many of the split's channels are I_L
 * @param normLow a normalisation of I_L before the low branch, or null
 * @param normHigh a normalisation of I_H before the high branch, or null
 * @param low the backbone's feature extractor, at half resolution
 * @param lowHead the classifier on the low features
 * @param high the light (quarter-width) feature extractor on I_H, or null (the I_L-only ablation)
 * @param fusionHead the classifier on the concatenated features, or null without a high branch
 * @param decoder reconstructs the input from {@code s} (training only), or null
 */
public record WaeClassifier(String name, LayerSpec encoder, LayerSpec split, int lowChannels, LayerSpec normLow,
        LayerSpec normHigh, LayerSpec low, LayerSpec lowHead, LayerSpec high, LayerSpec fusionHead,
        LayerSpec decoder) implements LayerSpec {

    /** Validates the record. */
    public WaeClassifier {
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(low, "low");
        Objects.requireNonNull(lowHead, "lowHead");
        if ((high == null) != (fusionHead == null)) {
            throw new SpecException("waeClassifier " + name
                    + ": high and fusionHead must both be present or both absent");
        }
        if (lowChannels < 1) {
            throw new SpecException("waeClassifier " + name + ": lowChannels must be >= 1");
        }
    }

    private LayerSpec[] slots() {
        return new LayerSpec[] {encoder, split, normLow, normHigh, low, lowHead, high, fusionHead, decoder};
    }

    /** Slot indices, in the order of {@link #slots()}. */
    static final int ENC = 0;
    static final int SPLIT = 1;
    static final int NORM_L = 2;
    static final int NORM_H = 3;
    static final int LOW = 4;
    static final int LOW_HEAD = 5;
    static final int HIGH = 6;
    static final int FUSION = 7;
    static final int DEC = 8;

    /**
     * Returns, for each slot, its index in {@link #children()} or -1 when the slot is empty.
     *
     * @return the child index of each slot
     */
    int[] childIndex() {
        LayerSpec[] s = slots();
        int[] idx = new int[s.length];
        int next = 0;
        for (int i = 0; i < s.length; i++) {
            idx[i] = s[i] == null ? -1 : next++;
        }
        return idx;
    }

    @Override
    public String type() {
        return "waeClassifier";
    }

    @Override
    public List<LayerSpec> children() {
        return Arrays.stream(slots()).filter(Objects::nonNull).toList();
    }

    @Override
    public LayerSpec withChildren(List<LayerSpec> children) {
        LayerSpec[] s = slots();
        List<LayerSpec> c = new ArrayList<>(children);
        for (int i = 0; i < s.length; i++) {
            if (s[i] != null) {
                s[i] = c.remove(0);
            }
        }
        return new WaeClassifier(name, s[ENC], s[SPLIT], lowChannels, s[NORM_L], s[NORM_H], s[LOW], s[LOW_HEAD],
                s[HIGH], s[FUSION], s[DEC]);
    }

    /**
     * Returns a copy without the decoder (the test-time network).
     *
     * @return the node
     */
    public WaeClassifier withoutDecoder() {
        return new WaeClassifier(name, encoder, split, lowChannels, normLow, normHigh, low, lowHead, high, fusionHead,
                null);
    }

    /**
     * Returns a copy with a decoder.
     *
     * @param dec the decoder
     * @return the node
     */
    public WaeClassifier withDecoder(LayerSpec dec) {
        return new WaeClassifier(name, encoder, split, lowChannels, normLow, normHigh, low, lowHead, high, fusionHead,
                dec);
    }

    @Override
    public Shape route(Shape in, Router r) {
        int[] ci = childIndex();
        Shape enc = encoder == null ? in : r.child(ci[ENC], in);
        Shape s = r.child(ci[SPLIT], enc);
        if (s.dimension() != 3 || s.get(0) <= lowChannels) {
            throw r.mismatch("split output (I_L channels + I_H channels)", "more than " + lowChannels + " channels", s);
        }
        Shape il = new Shape(lowChannels, s.get(1), s.get(2));
        Shape ih = new Shape(s.get(0) - lowChannels, s.get(1), s.get(2));
        Shape nl = normLow == null ? il : r.child(ci[NORM_L], il);
        Shape nh = normHigh == null ? ih : r.child(ci[NORM_H], ih);
        Shape fl = r.child(ci[LOW], nl);
        Shape scoreL = r.child(ci[LOW_HEAD], fl);
        if (high != null) {
            Shape fh = r.child(ci[HIGH], nh);
            if (fh.dimension() != 3 || fl.dimension() != 3 || !fh.slice(1).equals(fl.slice(1))) {
                throw r.mismatch("fusion: low features vs high features (spatial size)", fl, fh);
            }
            Shape scoreF = r.child(ci[FUSION], new Shape(fl.get(0) + fh.get(0), fl.get(1), fl.get(2)));
            if (!scoreF.equals(scoreL)) {
                throw r.mismatch("scores: low head vs fusion head", scoreL, scoreF);
            }
        }
        if (decoder != null) {
            Shape rec = r.child(ci[DEC], s);
            if (!rec.equals(in)) {
                throw r.mismatch("decoder output vs input", in, rec);
            }
        }
        return scoreL;
    }

    @Override
    public Block build(Shape in, BuildContext ctx) {
        int[] ci = childIndex();
        WaeBlock.Part[] parts = new WaeBlock.Part[ci.length];
        Shape enc = encoder == null ? in : ctx.shapeOf(ci[ENC], in);
        Shape s = ctx.shapeOf(ci[SPLIT], enc);
        Shape il = new Shape(lowChannels, s.get(1), s.get(2));
        Shape ih = new Shape(s.get(0) - lowChannels, s.get(1), s.get(2));
        Shape nl = normLow == null ? il : ctx.shapeOf(ci[NORM_L], il);
        Shape nh = normHigh == null ? ih : ctx.shapeOf(ci[NORM_H], ih);
        Shape fl = ctx.shapeOf(ci[LOW], nl);
        Shape[] inputs = new Shape[ci.length];
        inputs[ENC] = in;
        inputs[SPLIT] = enc;
        inputs[NORM_L] = il;
        inputs[NORM_H] = ih;
        inputs[LOW] = nl;
        inputs[LOW_HEAD] = fl;
        inputs[HIGH] = nh;
        if (high != null) {
            Shape fh = ctx.shapeOf(ci[HIGH], nh);
            inputs[FUSION] = new Shape(fl.get(0) + fh.get(0), fl.get(1), fl.get(2));
        }
        inputs[DEC] = s;
        for (int i = 0; i < ci.length; i++) {
            if (ci[i] >= 0) {
                parts[i] = new WaeBlock.Part(ctx.child(ci[i], inputs[i]), inputs[i]);
            }
        }
        return new WaeBlock(parts, lowChannels, ctx.outShape(), false);
    }

    /**
     * Lowers the test-time network: the encoder, the split as one {@code Split} into I_L and I_H, the
     * normalisations, both branches, {@code Concat} of their features for the fusion head and the
     * {@code Add} of the two scores. The decoder is training-only and is left out.
     */
    @Override
    public String toOnnx(String x, Shape in, OnnxContext ctx) {
        int[] ci = childIndex();
        Shape enc = encoder == null ? in : ctx.shapeOf(ci[ENC], in);
        String e = encoder == null ? x : ctx.child(ci[ENC], x, in);
        Shape s = ctx.shapeOf(ci[SPLIT], enc);
        List<String> parts = splitChannels(ctx, ctx.child(ci[SPLIT], e, enc), lowChannels, s.get(0));
        Shape il = new Shape(lowChannels, s.get(1), s.get(2));
        Shape ih = new Shape(s.get(0) - lowChannels, s.get(1), s.get(2));
        String nl = normLow == null ? parts.get(0) : ctx.child(ci[NORM_L], parts.get(0), il);
        Shape nls = normLow == null ? il : ctx.shapeOf(ci[NORM_L], il);
        String fl = ctx.child(ci[LOW], nl, nls);
        Shape fls = ctx.shapeOf(ci[LOW], nls);
        String logits = ctx.child(ci[LOW_HEAD], fl, fls);
        if (high == null) {
            return logits;
        }
        String nh = normHigh == null ? parts.get(1) : ctx.child(ci[NORM_H], parts.get(1), ih);
        Shape nhs = normHigh == null ? ih : ctx.shapeOf(ci[NORM_H], ih);
        String fh = ctx.child(ci[HIGH], nh, nhs);
        Shape fhs = ctx.shapeOf(ci[HIGH], nhs);
        String cat = ctx.op("Concat").in(fl, fh).attr("axis", 1).out();
        Shape cats = new Shape(fls.get(0) + fhs.get(0), fls.get(1), fls.get(2));
        return ctx.op("Add").in(logits, ctx.child(ci[FUSION], cat, cats)).out();
    }

    /**
     * Splits a value's channels into the first {@code first} and the rest.
     *
     * @param ctx the graph
     * @param v the value
     * @param first channels of the first part
     * @param total all channels
     * @return the two parts
     */
    static List<String> splitChannels(OnnxContext ctx, String v, long first, long total) {
        return ctx.op("Split").in(v, ctx.longs("sizes", first, total - first)).attr("axis", 1).outs(2);
    }
}

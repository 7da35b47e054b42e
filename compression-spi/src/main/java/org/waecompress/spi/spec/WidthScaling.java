package org.waecompress.spi.spec;

import java.util.Set;
import org.waecompress.spi.error.InvalidSettingException;

/**
 * Multiplies every layer's channel count by a factor: WAE's quarter-width high-frequency branch is
 * the backbone at factor 0.25.
 *
 * <p><b>Rounding rule:</b> a layer with {@code c} output channels gets {@code max(1, round(c * f))}
 * channels, rounding halves up ({@code Math.round}). Every consumer follows the producer's new count
 * (batch-norms, the next convolution's input channels, a linear layer after flatten). Depthwise
 * convolutions keep one filter per channel. The layers named in {@code keep} keep their output
 * count; by default that is the network's output layer (its last convolution or linear layer), so
 * the number of classes does not change.
 */
public final class WidthScaling {

    private WidthScaling() {}

    /**
     * Scales every layer but the output layer.
     *
     * @param spec the spec
     * @param factor the width factor, greater than 0
     * @return the scaled spec
     */
    public static NetworkSpec scale(NetworkSpec spec, double factor) {
        String last = null;
        for (SpecTraversal.Visited v : spec.nodes()) {
            if (v.node() instanceof ConvSpec || v.node() instanceof LinearSpec
                    || v.node() instanceof ConvTransposeSpec) {
                last = v.path();
            }
        }
        return scale(spec, factor, last == null ? Set.of() : Set.of(last));
    }

    /**
     * Scales every layer except the ones whose paths are in {@code keep}.
     *
     * @param spec the spec
     * @param factor the width factor, greater than 0
     * @param keep paths of layers whose output count stays
     * @return the scaled spec
     */
    public static NetworkSpec scale(NetworkSpec spec, double factor, Set<String> keep) {
        return SpecRewriter.rewrite(spec, rule(factor, keep));
    }

    /**
     * Returns the rewrite rule that scales output counts, for use on a subtree with {@link
     * SpecRewriter#rewrite(LayerSpec, String, ai.djl.ndarray.types.Shape, SpecRewriter.LeafRule)}.
     *
     * @param factor the width factor
     * @param keep paths of layers whose output count stays
     * @return the rule
     */
    public static SpecRewriter.LeafRule rule(double factor, Set<String> keep) {
        return rule(factor, keep, 1);
    }

    /**
     * Returns the rule that scales output counts and rounds each to the nearest multiple (at least one
     * multiple; a layer narrower than the multiple keeps its count).
     *
     * @param factor the width factor
     * @param keep paths of layers whose output count stays
     * @param multiple the multiple, at least 1
     * @return the rule
     */
    public static SpecRewriter.LeafRule rule(double factor, Set<String> keep, int multiple) {
        InvalidSettingException.check(factor > 0 && Double.isFinite(factor), "width factor", factor,
                "must be a positive number");
        return (path, leaf, in) -> {
            if (keep.contains(path)) {
                return leaf;
            }
            if (leaf instanceof ConvSpec c && !(c.groups() == c.in() && c.groups() > 1)) {
                return c.withOut(scaled(c.out(), factor, multiple));
            }
            if (leaf instanceof LinearSpec d) {
                return d.withOut(scaled(d.out(), factor, multiple));
            }
            if (leaf instanceof ConvTransposeSpec t) {
                return new ConvTransposeSpec(t.name(), t.in(), scaled(t.out(), factor, multiple), t.kernel(),
                        t.stride(), t.padding(), t.outputPadding(), t.bias());
            }
            return leaf;
        };
    }

    private static int scaled(int channels, double factor, int multiple) {
        if (!ChannelMultiple.rounds(multiple)) {
            return scaled(channels, factor);
        }
        int full = (int) Math.max(channels, Math.round(channels * factor));
        return ChannelMultiple.round(channels * factor, full, multiple);
    }

    /**
     * Applies the rounding rule.
     *
     * @param channels the original count
     * @param factor the factor
     * @return the scaled count
     */
    public static int scaled(int channels, double factor) {
        return (int) Math.max(1, Math.round(channels * factor));
    }
}

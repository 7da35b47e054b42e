package org.waecompress.spi.spec;

import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Rebuilds a spec tree leaf by leaf, feeding every leaf the shape its (possibly rewritten)
 * producers now give it.
 *
 * <p>Width scaling and channel pruning are both "change some leaves' output counts, then let every
 * consumer follow": the rewriter does the following part through {@link LayerSpec#withInput}, so
 * a rewrite only states what it changes.
 */
public final class SpecRewriter {

    /** Decides the replacement of one leaf. */
    @FunctionalInterface
    public interface LeafRule {
        /**
         * Returns the leaf that replaces {@code leaf}.
         *
         * @param path the leaf's path
         * @param leaf the leaf, already adapted to its actual input with {@link LayerSpec#withInput}
         * @param in the actual input shape
         * @return the replacement (or {@code leaf} itself)
         */
        LayerSpec rewrite(String path, LayerSpec leaf, Shape in);
    }

    private SpecRewriter() {}

    /**
     * Rewrites a whole spec.
     *
     * @param spec the spec
     * @param rule the leaf rule
     * @return the rewritten spec, validated
     */
    public static NetworkSpec rewrite(NetworkSpec spec, LeafRule rule) {
        LayerSpec root = rewrite(spec.root(), "", spec.inputShape(), rule);
        return new NetworkSpec(spec.name(), spec.inputShape(), root);
    }

    /**
     * Rewrites a subtree.
     *
     * @param node the subtree's root
     * @param path its path
     * @param in its actual input shape
     * @param rule the leaf rule
     * @return the rewritten subtree
     */
    public static LayerSpec rewrite(LayerSpec node, String path, Shape in, LeafRule rule) {
        return rewriteWithShape(node, path, in, rule).node;
    }

    private record Rewritten(LayerSpec node, Shape out) {}

    private static Rewritten rewriteWithShape(LayerSpec node, String path, Shape in, LeafRule rule) {
        List<LayerSpec> children = node.children();
        if (children.isEmpty()) {
            LayerSpec leaf = rule.rewrite(path, node.withInput(in), in);
            Shape out = SpecTraversal.walk(leaf, path, in, (p, n, i, o) -> { });
            return new Rewritten(leaf, out);
        }
        List<LayerSpec> fresh = new ArrayList<>(children);
        Shape out = node.route(in, new Router() {
            @Override
            public Shape child(int index, Shape childIn) {
                LayerSpec c = children.get(index);
                Rewritten r = rewriteWithShape(c, SpecTraversal.childPath(path, c, index), childIn, rule);
                fresh.set(index, r.node);
                return r.out;
            }

            @Override
            public String path() {
                return path;
            }
        });
        return new Rewritten(node.withChildren(fresh), out);
    }
}

package org.waecompress.baselines.common;

import java.util.ArrayList;
import java.util.List;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.ResidualSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecException;
import org.waecompress.spi.spec.SpecTraversal;

/**
 * The part of a network that computes a node's input: everything executed before the node, with
 * parameter names unchanged, so the prefix takes the full network's weights. A residual block that
 * contains the node is replaced by its body up to the node (the node's input does not depend on
 * the shortcut). Used to collect the input of a layer on calibration images (ThiNet).
 */
public final class Prefix {

    private Prefix() {}

    /**
     * Returns the prefix spec that outputs the input of {@code path}.
     *
     * @param spec the network spec
     * @param path the node whose input is wanted
     * @return the prefix spec
     */
    public static NetworkSpec before(NetworkSpec spec, String path) {
        LayerSpec root = cut(spec.root(), "", path);
        if (root == null) {
            throw new SpecException(path + ": the first layer has no prefix");
        }
        return new NetworkSpec(spec.name() + "-prefix", spec.inputShape(), root);
    }

    /**
     * Returns a network holding the prefix's weights.
     *
     * @param net the network
     * @param path the node whose input is wanted
     * @return the prefix network (close it)
     */
    public static Network network(Network net, String path) {
        NetworkSpec p = before(net.spec(), path);
        java.util.Map<String, ai.djl.ndarray.NDArray> w = new java.util.LinkedHashMap<>();
        for (String name : p.parameters().keySet()) {
            w.put(name, net.weight(name));
        }
        return Network.of(p, net.classes(), w, "prefix of " + path);
    }

    private static boolean contains(LayerSpec node, String nodePath, String target) {
        if (nodePath.equals(target) && node.children().isEmpty()) {
            return true;
        }
        List<LayerSpec> c = node.children();
        for (int i = 0; i < c.size(); i++) {
            if (contains(c.get(i), SpecTraversal.childPath(nodePath, c.get(i), i), target)) {
                return true;
            }
        }
        return false;
    }

    /** The part of {@code node} executed before {@code target}, or null if none. */
    private static LayerSpec cut(LayerSpec node, String nodePath, String target) {
        if (node instanceof ResidualSpec r) {
            return cut(r.body() instanceof SequentialSpec s ? new SequentialSpec(r.name(), s.layers())
                    : SequentialSpec.of(r.name(), r.body()), nodePath, target);
        }
        if (!(node instanceof SequentialSpec seq)) {
            throw new SpecException(target + ": sits inside " + node.type() + " " + nodePath
                    + "; only sequential and residual containers can be cut");
        }
        List<LayerSpec> kept = new ArrayList<>();
        for (int i = 0; i < seq.layers().size(); i++) {
            LayerSpec c = seq.layers().get(i);
            String cp = SpecTraversal.childPath(nodePath, c, i);
            if (contains(c, cp, target)) {
                if (!c.children().isEmpty()) {
                    LayerSpec inner = cut(c, cp, target);
                    if (inner != null) {
                        // Dropping only the tail keeps every earlier child's index, hence its path.
                        kept.add(inner);
                    }
                }
                return kept.isEmpty() ? null : new SequentialSpec(seq.name(), kept);
            }
            kept.add(c);
        }
        throw new SpecException(target + ": no layer at this path");
    }
}

package org.waecompress.baselines.common;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.Layers;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SpecException;
import org.waecompress.spi.spec.SpecRewriter;
import org.waecompress.spi.spec.SpecTraversal;

/**
 * Removes output channels from a convolution and from everything that reads them, giving a
 * physically smaller network (its cost report and latency both drop), never a mask.
 *
 * <p>Dependencies come from the spec. Starting at the pruned convolution, the channels are followed
 * through the layers after it in its sequential parents: batch-norms lose the same channels,
 * activations, pooling and dropout pass them through, a flatten turns each channel into its H*W
 * features, and the first convolution or linear layer that reads them loses the matching inputs.
 * Channels that reach a residual addition, a concatenation or the network's output are coupled to
 * other layers; asking to prune them fails with a message naming the node (ThiNet's rule for
 * ResNets: only the inner channels of residual blocks are pruned).
 */
public final class ChannelSurgery {

    private ChannelSurgery() {}

    /** One step of the path the channels take after the pruned layer. */
    private record Step(String path, LayerSpec node, Shape in, String stop) {}

    /**
     * What reads a convolution's output channels.
     *
     * @param passThrough batch-norm (and parameter-free) layers between producer and consumer
     * @param consumer the layer that reads the channels (a conv or linear layer)
     * @param consumerIn the consumer's input shape
     * @param flattenShape the map shape at a flatten between them, or null
     */
    public record Readers(List<String> passThrough, String consumer, Shape consumerIn, Shape flattenShape) {}

    /**
     * Follows a convolution's output channels to their consumer.
     *
     * @param spec the spec
     * @param convPath the convolution's path
     * @return the layers that read its channels
     * @throws SpecException naming the node where the channels are coupled
     */
    public static Readers readers(NetworkSpec spec, String convPath) {
        List<SpecTraversal.Visited> nodes = spec.nodes();
        int at = -1;
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).path().equals(convPath) && nodes.get(i).node() instanceof Layers.Conv) {
                at = i;
            }
        }
        if (at < 0) {
            throw new SpecException(convPath + ": no convolution at this path in " + spec.name());
        }
        Layers.Conv conv = (Layers.Conv) nodes.get(at).node();
        if (conv.groups() != 1) {
            throw new SpecException(convPath + ": grouped convolutions are not pruned");
        }
        List<Step> after = following(nodes, at, convPath);
        List<String> pass = new ArrayList<>();
        Shape flatten = null;
        for (Step s : after) {
            if (s.stop() != null) {
                throw new SpecException(s.stop());
            }
            LayerSpec n = s.node();
            if (n instanceof Layers.Conv c) {
                if (c.groups() != 1) {
                    throw new SpecException(convPath + ": its channels are read by the grouped convolution "
                            + s.path() + ", which couples them");
                }
                return new Readers(pass, s.path(), s.in(), flatten);
            }
            if (n instanceof Layers.Dense || n instanceof Layers.ConvTranspose) {
                return new Readers(pass, s.path(), s.in(), flatten);
            }
            if (n instanceof Layers.Flatten) {
                flatten = s.in();
            } else if (!(n instanceof Layers.BatchNorm2d || n instanceof Layers.Act || n instanceof Layers.Pool2d
                    || n instanceof Layers.Drop || n instanceof Layers.GlobalAvgPool)) {
                throw new SpecException(convPath + ": its channels flow into " + n.type() + " " + s.path()
                        + ", which couples them to other layers");
            }
            pass.add(s.path());
        }
        throw new IllegalStateException("unreachable: the walk ends with a stop step");
    }

    /**
     * The leaves after a node, in execution order, while only sequential parents contain them; a
     * final step with a null node carries the reason the walk stopped (coupling).
     */
    private static List<Step> following(List<SpecTraversal.Visited> nodes, int at, String path) {
        List<SpecTraversal.Visited> ancestors = new ArrayList<>();
        int depth = nodes.get(at).depth();
        for (int i = at - 1; i >= 0 && depth > 0; i--) {
            if (nodes.get(i).depth() == depth - 1) {
                ancestors.add(0, nodes.get(i));
                depth--;
            }
        }
        List<Step> steps = new ArrayList<>();
        SpecTraversal.Visited parent = ancestors.isEmpty() ? null : ancestors.get(ancestors.size() - 1);
        if (parent != null && !(parent.node() instanceof Layers.Sequential)) {
            steps.add(coupling(path, parent));
            return steps;
        }
        for (int i = at + 1; i < nodes.size(); i++) {
            SpecTraversal.Visited v = nodes.get(i);
            // Data leaving a container flows on in the container's parent, which must be sequential.
            for (int d = Math.max(1, v.depth()); d < ancestors.size(); d++) {
                SpecTraversal.Visited p = ancestors.get(d - 1);
                if (!(p.node() instanceof Layers.Sequential)) {
                    steps.add(coupling(path, p));
                    return steps;
                }
            }
            while (ancestors.size() > v.depth()) {
                ancestors.remove(ancestors.size() - 1);
            }
            if (!v.node().children().isEmpty()) {
                if (!(v.node() instanceof Layers.Sequential)) {
                    steps.add(coupling(path, v));
                    return steps;
                }
                ancestors.add(v);
                continue;
            }
            steps.add(new Step(v.path(), v.node(), v.in(), null));
        }
        steps.add(new Step("", null, null, path + ": its channels reach the network's output; nothing to prune into"));
        return steps;
    }

    private static Step coupling(String path, SpecTraversal.Visited at) {
        return new Step(at.path(), null, null, path + ": its channels flow into " + at.node().type() + " "
                + (at.path().isEmpty() ? "(root)" : at.path()) + ", which couples them to other layers");
    }

    /**
     * Returns the convolutions whose output channels can be pruned.
     *
     * @param spec the spec
     * @return their paths, in execution order
     */
    public static List<String> prunable(NetworkSpec spec) {
        List<String> out = new ArrayList<>();
        for (SpecTraversal.Visited v : spec.nodes()) {
            if (v.node() instanceof Layers.Conv) {
                try {
                    readers(spec, v.path());
                    out.add(v.path());
                } catch (SpecException e) {
                    // coupled or last: not prunable
                }
            }
        }
        return out;
    }

    /**
     * Keeps only some output channels of a convolution.
     *
     * @param net the network (unchanged)
     * @param convPath the convolution
     * @param keep the channels to keep (any order; sorted internally)
     * @return the smaller network
     */
    public static Network prune(Network net, String convPath, int[] keep) {
        NetworkSpec spec = net.spec();
        Readers r = readers(spec, convPath);
        int[] k = keep.clone();
        Arrays.sort(k);
        Layers.Conv conv = (Layers.Conv) spec.node(convPath);
        if (k.length == 0 || k[0] < 0 || k[k.length - 1] >= conv.out()) {
            throw new SpecException(convPath + ": channels to keep must be in [0, " + conv.out() + ") and not empty");
        }
        NetworkSpec pruned = SpecRewriter.rewrite(spec, (p, leaf, in) ->
                p.equals(convPath) ? ((Layers.Conv) leaf).withOut(k.length) : leaf);
        try (NDManager m = NDManager.newBaseManager()) {
            long[] idx = Arrays.stream(k).asLongStream().toArray();
            NDArray ch = m.create(idx);
            Map<String, NDArray> w = new LinkedHashMap<>(net.weights());
            sliceAll(w, convPath, ch, 0, List.of("weight", "bias"));
            for (String p : r.passThrough()) {
                sliceAll(w, p, ch, 0, List.of("weight", "bias", "running_mean", "running_var"));
            }
            NDArray in = ch;
            if (r.flattenShape() != null) {
                long hw = r.flattenShape().get(1) * r.flattenShape().get(2);
                long[] f = new long[(int) (idx.length * hw)];
                for (int i = 0; i < idx.length; i++) {
                    for (int j = 0; j < hw; j++) {
                        f[(int) (i * hw + j)] = idx[i] * hw + j;
                    }
                }
                in = m.create(f);
            }
            LayerSpec consumer = spec.node(r.consumer());
            int axis = consumer instanceof Layers.ConvTranspose ? 0 : 1;
            sliceAll(w, r.consumer(), in, axis, List.of("weight"));
            return Network.of(pruned, net.classes(), w, "channel surgery on " + convPath);
        }
    }

    private static void sliceAll(Map<String, NDArray> w, String path, NDArray idx, int axis, List<String> names) {
        for (String n : names) {
            String full = SpecTraversal.paramName(path, n);
            NDArray t = w.get(full);
            if (t != null) {
                NDArray s = axis == 0 ? t.get(new NDIndex("{}", idx)) : t.get(new NDIndex(":, {}", idx));
                s.attach(idx.getManager());
                w.put(full, s);
            }
        }
    }
}

package org.waecompress.spi.surgery;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SpecException;
import org.waecompress.spi.spec.SpecRewriter;
import org.waecompress.spi.spec.SpecTraversal;

/**
 * Removes output channels from a convolution and from everything that reads them, giving a
 * physically smaller network (its cost report and latency both drop), never a mask.
 *
 * <p>Dependencies come from the spec ({@link ChannelGroups}): the pruned channels are removed from
 * every producing convolution, the batch-norms that follow them lose the same channels, a flatten
 * turns each channel into its H*W features, and every convolution or linear layer that reads them
 * loses the matching inputs. By default one convolution is pruned at a time and only when it is
 * read by one layer and not coupled through a residual addition (ThiNet's rule for ResNets: the
 * inner channels of residual blocks); asking for a coupled one fails naming the residual node.
 * {@link #prune(Network, ChannelGroups.Group, int[])} prunes a whole group, for instance a ResNet
 * stage's residual stream, at once.
 */
public final class ChannelSurgery {

    private ChannelSurgery() {}

    /**
     * What reads a convolution's output channels when they form a simple group (one producer, one
     * consumer).
     *
     * @param passThrough batch-norm layers between producer and consumer
     * @param consumer the layer that reads the channels (a conv or linear layer)
     * @param consumerIn the consumer's input shape
     * @param flattenShape the map shape at a flatten between them, or null
     */
    public record Readers(List<String> passThrough, String consumer, Shape consumerIn, Shape flattenShape) {}

    /**
     * Follows a convolution's output channels to their one consumer.
     *
     * @param spec the spec
     * @param convPath the convolution's path
     * @return the layers that read its channels
     * @throws SpecException naming the node where the channels are coupled
     */
    public static Readers readers(NetworkSpec spec, String convPath) {
        ChannelGroups.Group g = simpleGroup(spec, convPath);
        ChannelGroups.Consumer c = g.consumers().get(0);
        return new Readers(g.passThrough(), c.path(), c.in(), c.flattenShape());
    }

    /** A convolution's group, checked to be simple: one producer, one consumer. */
    private static ChannelGroups.Group simpleGroup(NetworkSpec spec, String convPath) {
        ChannelGroups.Group g = ChannelGroups.of(spec, convPath);
        if (g.producers().size() > 1) {
            String at = ChannelGroups.firstCoupling(spec, convPath);
            String residual = at == null ? g.couplings().get(0) : at;
            String where = residual.isEmpty() ? "a residual addition or gate" : spec.node(residual).type() + " "
                    + residual;
            throw new SpecException(convPath + ": its channels flow into "
                    + where
                    + ", which couples them to other layers (channel "
                    + "group '" + g.name() + "' of " + g.producers().size() + " convolutions; prune it as a "
                    + "whole, e.g. with the taylor strategies' 'groups' setting)");
        }
        if (g.consumers().size() != 1) {
            List<String> paths = g.consumers().stream().map(ChannelGroups.Consumer::path).toList();
            throw new SpecException(convPath + ": its channels are read by " + paths.size() + " layers "
                    + paths + ", which couples them (prune it as a channel group)");
        }
        if (!g.simple()) {
            throw new SpecException(convPath + ": its channels reach " + g.consumers().get(0).path() + " through a "
                    + "concat, beside other branches' channels (prune it as a channel group)");
        }
        return g;
    }

    /**
     * Returns the convolutions whose output channels can be pruned one layer at a time: those read
     * by exactly one layer and not coupled through a residual addition (ThiNet's rule for ResNets:
     * the inner channels of residual blocks). {@link ChannelGroups#all} lists the wider set.
     *
     * @param spec the spec
     * @return their paths, in execution order
     */
    public static List<String> prunable(NetworkSpec spec) {
        return ChannelGroups.all(spec).stream().filter(ChannelGroups.Group::simple).map(ChannelGroups.Group::name)
                .toList();
    }

    /**
     * Keeps only some output channels of a convolution that forms a simple group.
     *
     * @param net the network (unchanged)
     * @param convPath the convolution
     * @param keep the channels to keep (any order; sorted internally)
     * @return the smaller network
     * @throws SpecException if the convolution's channels are coupled to other layers
     */
    public static Network prune(Network net, String convPath, int[] keep) {
        return prune(net, simpleGroup(net.spec(), convPath), keep);
    }

    /**
     * Keeps only some channels of a channel group: every producer loses the other output channels,
     * every batch-norm on the way their four tensors, every consumer the matching inputs.
     *
     * @param net the network (unchanged)
     * @param group the group, from {@link ChannelGroups} on this network's spec
     * @param keep the channels to keep (any order; sorted internally)
     * @return the smaller network
     */
    public static Network prune(Network net, ChannelGroups.Group group, int[] keep) {
        NetworkSpec spec = net.spec();
        int[] k = keep.clone();
        Arrays.sort(k);
        if (k.length == 0 || k[0] < 0 || k[k.length - 1] >= group.channels()) {
            throw new SpecException(group.name() + ": channels to keep must be in [0, " + group.channels()
                    + ") and not empty");
        }
        NetworkSpec pruned = SpecRewriter.rewrite(spec, (p, leaf, in) ->
                group.producers().contains(p) ? ((ConvSpec) leaf).withOut(k.length) : leaf);
        try (NDManager m = Devices.newManager()) {
            long[] idx = Arrays.stream(k).asLongStream().toArray();
            NDArray ch = m.create(idx);
            Map<String, NDArray> w = new LinkedHashMap<>(net.weights());
            for (String p : group.producers()) {
                sliceAll(w, p, ch, 0, List.of("weight", "bias"));
            }
            for (String p : group.passThrough()) {
                NDArray kept = m.create(keptOf(group.offsetOf(p), idx, group.channels(),
                        channelsOf(w, p, group.channels()), 1));
                sliceAll(w, p, kept, 0, List.of("weight", "bias", "running_mean", "running_var"));
            }
            for (ChannelGroups.Consumer c : group.consumers()) {
                long hw = c.perChannel();
                long total = c.in().get(0) / hw;
                NDArray in = m.create(keptOf(c.offset(), idx, group.channels(), total, hw));
                sliceAll(w, c.path(), in, c.axis(), List.of("weight"));
            }
            String what = group.producers().size() == 1 ? group.name() : "channel group " + group.name();
            return Network.of(pruned, net.classes(), w, "channel surgery on " + what);
        }
    }

    /**
     * The indices a layer keeps along its channel axis: all of its channels but the group's removed ones,
     * which start at {@code offset} (a concat puts other branches' channels around them); each channel
     * owns {@code hw} consecutive entries (its H*W features after a flatten).
     */
    private static long[] keptOf(int offset, long[] keep, int groupChannels, long total, long hw) {
        int kept = (int) (total - groupChannels + keep.length);
        long[] out = new long[(int) (kept * hw)];
        int n = 0;
        for (long c = 0; c < total; c++) {
            boolean inGroup = c >= offset && c < offset + groupChannels;
            if (inGroup && Arrays.binarySearch(keep, c - offset) < 0) {
                continue;
            }
            for (long j = 0; j < hw; j++) {
                out[n++] = c * hw + j;
            }
        }
        return out;
    }

    /** A pass-through layer's channel count: the length of its first per-channel tensor. */
    private static long channelsOf(Map<String, NDArray> w, String path, int dflt) {
        for (String n : List.of("running_mean", "weight")) {
            NDArray t = w.get(SpecTraversal.paramName(path, n));
            if (t != null) {
                return t.getShape().get(0);
            }
        }
        return dflt;
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

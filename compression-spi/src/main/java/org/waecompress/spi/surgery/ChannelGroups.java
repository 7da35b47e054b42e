package org.waecompress.spi.surgery;

import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.waecompress.spi.spec.ActivationSpec;
import org.waecompress.spi.spec.BatchNormSpec;
import org.waecompress.spi.spec.ConcatSpec;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.ConvTransposeSpec;
import org.waecompress.spi.spec.DropoutSpec;
import org.waecompress.spi.spec.FlattenSpec;
import org.waecompress.spi.spec.GateSpec;
import org.waecompress.spi.spec.GlobalAvgPoolSpec;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.PoolSpec;
import org.waecompress.spi.spec.ResidualSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecException;
import org.waecompress.spi.spec.SpecTraversal;

/**
 * Which output channels of which layers must be removed together: the dependency analysis behind
 * {@link ChannelSurgery}, read from the spec alone (Torch-Pruning's dependency graph, on specs).
 *
 * <p>A symbolic channel space flows through the network. A convolution opens a new space (it is its
 * <em>producer</em>) and is a <em>consumer</em> of the space it reads; batch-norms are
 * <em>pass-through</em> layers whose per-channel tensors follow the space, and so are depthwise
 * convolutions (one filter per channel: MobileNet's); a gate ({@code x * gate(x)}, squeeze-excitation)
 * couples x's channels with its gate's last producer, as an addition does; activations, pooling,
 * dropout and global pooling keep it; a flatten makes each channel own H*W features of the next
 * linear layer. A residual addition merges the spaces of its body and its shortcut: every conv
 * whose output reaches the same addition chain (a ResNet stage's stem or projection conv and every
 * block's last conv) lands in one <em>coupled</em> group, and a channel of that group can only go
 * from all of them at once. Spaces that reach a concatenation, the network's output, a node type
 * this analysis does not know, or a grouped convolution are blocked, with the reason kept for the
 * error message. Containers of unknown types (WAE's classifier, for one) are analysed child by
 * child with their inputs and outputs blocked, which is sound because each child is applied as a
 * whole.
 */
public final class ChannelGroups {

    /**
     * A layer that reads a group's channels.
     *
     * @param path its node path
     * @param in its input shape
     * @param axis the axis of its weight that indexes input channels (1 for conv and linear, 0 for a
     *     transposed convolution)
     * @param flattenShape the (C, H, W) map at a flatten between the channels and this layer, or null
     * @param offset where the group's channels start in this layer's input channels (after a concat, the
     *     channels of the branches before)
     */
    public record Consumer(String path, Shape in, int axis, Shape flattenShape, int offset) {
        /**
         * A consumer that reads the group's channels first in its input (offset 0).
         *
         * @param path its node path
         * @param in its input shape
         * @param axis the axis of its weight that indexes input channels
         * @param flattenShape the (C, H, W) map at a flatten, or null
         */
        public Consumer(String path, Shape in, int axis, Shape flattenShape) {
            this(path, in, axis, flattenShape, 0);
        }

        /**
         * Returns how many of this layer's inputs one channel owns.
         *
         * @return H*W after a flatten, else 1
         */
        public long perChannel() {
            return flattenShape == null ? 1 : flattenShape.get(1) * flattenShape.get(2);
        }
    }

    /**
     * Output channels that are removed together.
     *
     * @param name the first producer's path, which names the group in settings
     * @param channels how many channels the group has
     * @param producers the convolutions whose output channels these are
     * @param passThrough the batch-norms and depthwise convolutions whose per-channel tensors follow them
     * @param consumers the layers that read them
     * @param couplings the residual additions that merged producers, in execution order
     * @param passThroughOffsets where the channels start in each pass-through layer whose channels do not
     *     start with them (after a concat); others start at 0
     */
    public record Group(String name, int channels, List<String> producers, List<String> passThrough,
            List<Consumer> consumers, List<String> couplings, Map<String, Integer> passThroughOffsets) {
        /** Copies the lists. */
        public Group {
            producers = List.copyOf(producers);
            passThrough = List.copyOf(passThrough);
            consumers = List.copyOf(consumers);
            couplings = List.copyOf(couplings);
            passThroughOffsets = Map.copyOf(passThroughOffsets);
        }

        /**
         * A group whose channels start at 0 in every pass-through layer.
         *
         * @param name the first producer's path
         * @param channels how many channels
         * @param producers the producers
         * @param passThrough the pass-through layers
         * @param consumers the consumers
         * @param couplings the residual additions
         */
        public Group(String name, int channels, List<String> producers, List<String> passThrough,
                List<Consumer> consumers, List<String> couplings) {
            this(name, channels, producers, passThrough, consumers, couplings, Map.of());
        }

        /**
         * Returns where the group's channels start in a pass-through layer's channels: 0, or after a
         * concat the channels of the branches before.
         *
         * @param path a pass-through layer of this group
         * @return the offset
         */
        public int offsetOf(String path) {
            return passThroughOffsets.getOrDefault(path, 0);
        }

        /**
         * Returns whether the group is one convolution read by one layer that reads nothing else: the only
         * case ThiNet's reconstruction handles, and the default prunable set (ThiNet's rule for ResNets).
         *
         * @return true for a simple group
         */
        public boolean simple() {
            if (producers.size() != 1 || consumers.size() != 1 || !passThroughOffsets.isEmpty()) {
                return false;
            }
            Consumer c = consumers.get(0);
            // the reader reads these channels and no others (not a concat of them with other branches)
            return c.offset() == 0 && c.in().get(0) == channels * c.perChannel();
        }
    }

    private ChannelGroups() {}

    /**
     * Returns every group whose channels can be removed, in the order of their first producer.
     *
     * @param spec the spec
     * @return the groups
     */
    public static List<Group> all(NetworkSpec spec) {
        Analysis a = new Analysis(spec);
        List<Group> out = new ArrayList<>();
        for (int root : a.roots()) {
            if (a.blockedReason(root) == null && !a.space(root).producers.isEmpty()) {
                out.add(a.group(root));
            }
        }
        return out;
    }

    /**
     * Returns the group of a convolution's output channels.
     *
     * @param spec the spec
     * @param convPath the convolution
     * @return its group
     * @throws SpecException naming the node where the channels cannot be followed
     */
    public static Group of(NetworkSpec spec, String convPath) {
        Analysis a = new Analysis(spec);
        Integer raw = a.producerSpace.get(convPath);
        if (raw == null && a.passThroughs.contains(convPath)) {
            throw new SpecException(convPath + ": a depthwise convolution, whose channels are its input's; prune the "
                    + "convolution that produces them");
        }
        if (raw == null) {
            throw new SpecException(convPath + ": no convolution at this path in " + spec.name());
        }
        int root = a.find(raw);
        String reason = a.blockedReason(root);
        if (reason != null) {
            throw new SpecException(convPath + ": its channels " + reason);
        }
        return a.group(root);
    }

    /**
     * Returns the residual addition a producer's channels first flow into, if any.
     *
     * @param spec the spec
     * @param convPath a producer
     * @return the residual's path, or null
     */
    static String firstCoupling(NetworkSpec spec, String convPath) {
        Analysis a = new Analysis(spec);
        Integer raw = a.producerSpace.get(convPath);
        return raw == null ? null : a.mergedAt.get(raw);
    }

    /** One space's channels at an offset within a value's channels. */
    private record Part(int id, int offset) {}

    /**
     * The channel spaces a value's channels are made of (one, or several after a concat, each at its
     * offset) and, after a flatten, the map shape the channels came from.
     */
    private record Flow(List<Part> parts, Shape flattenShape) {
        Flow(int id, Shape flattenShape) {
            this(List.of(new Part(id, 0)), flattenShape);
        }

        /** The one space of a value that is not a concat's. */
        int id() {
            return parts.get(0).id();
        }

        boolean single() {
            return parts.size() == 1;
        }
    }

    private static final class Space {
        final int channels;
        final List<String> producers = new ArrayList<>();
        final List<String> passThrough = new ArrayList<>();
        final List<Consumer> consumers = new ArrayList<>();
        final List<String> couplings = new ArrayList<>();
        final Map<String, Integer> offsets = new LinkedHashMap<>();
        String blocked;

        Space(int channels) {
            this.channels = channels;
        }
    }

    private static final class Analysis {
        private final List<SpecTraversal.Visited> nodes;
        private final List<Integer> parent = new ArrayList<>();
        private final List<Space> spaces = new ArrayList<>();
        final Map<String, Integer> producerSpace = new LinkedHashMap<>();
        final Map<Integer, String> mergedAt = new LinkedHashMap<>();
        final java.util.Set<String> passThroughs = new java.util.HashSet<>();

        Analysis(NetworkSpec spec) {
            this.nodes = spec.nodes();
            int in = open((int) spec.inputShape().get(0));
            block(in, "are the network's input");
            Flow out = trace(0, new Flow(in, null));
            blockAll(out, "reach the network's output; nothing to prune into");
        }

        int open(int channels) {
            parent.add(parent.size());
            spaces.add(new Space(channels));
            return parent.size() - 1;
        }

        int find(int id) {
            int r = id;
            while (parent.get(r) != r) {
                r = parent.get(r);
            }
            parent.set(id, r);
            return r;
        }

        Space space(int id) {
            return spaces.get(find(id));
        }

        void block(int id, String reason) {
            Space s = space(id);
            if (s.blocked == null) {
                s.blocked = reason;
            }
        }

        String blockedReason(int id) {
            return space(id).blocked;
        }

        List<Integer> roots() {
            List<Integer> r = new ArrayList<>();
            for (int raw : producerSpace.values()) {
                int root = find(raw);
                if (!r.contains(root)) {
                    r.add(root);
                }
            }
            return r;
        }

        Group group(int root) {
            Space s = space(root);
            List<String> producers = new ArrayList<>(s.producers);
            List<String> order = new ArrayList<>(producerSpace.keySet());
            producers.sort(java.util.Comparator.comparingInt(order::indexOf));
            return new Group(producers.get(0), s.channels, producers, s.passThrough, s.consumers, s.couplings,
                    s.offsets);
        }

        private int union(int a, int b, String residual) {
            int ra = find(a);
            int rb = find(b);
            mergedAt.putIfAbsent(a, residual);
            mergedAt.putIfAbsent(b, residual);
            Space sa = spaces.get(ra);
            if (!sa.couplings.contains(residual)) {
                sa.couplings.add(residual);
            }
            if (ra == rb) {
                return ra;
            }
            Space sb = spaces.get(rb);
            sa.producers.addAll(sb.producers);
            sa.passThrough.addAll(sb.passThrough);
            sa.consumers.addAll(sb.consumers);
            sa.offsets.putAll(sb.offsets);
            for (String c : sb.couplings) {
                if (!sa.couplings.contains(c)) {
                    sa.couplings.add(c);
                }
            }
            if (sa.blocked == null) {
                sa.blocked = sb.blocked;
            }
            parent.set(rb, ra);
            return ra;
        }

        private List<Integer> children(int i) {
            List<Integer> c = new ArrayList<>();
            int d = nodes.get(i).depth();
            for (int j = i + 1; j < nodes.size() && nodes.get(j).depth() > d; j++) {
                if (nodes.get(j).depth() == d + 1) {
                    c.add(j);
                }
            }
            return c;
        }

        private static String where(SpecTraversal.Visited v) {
            // an imported network's blocks are transparent (no path of their own)
            return v.node().type() + " " + (v.path().isEmpty() ? "block" : v.path());
        }

        private void blockAll(Flow f, String reason) {
            for (Part p : f.parts()) {
                block(p.id(), reason);
            }
        }

        private void consume(Flow f, String path, Shape in, int axis) {
            for (Part p : f.parts()) {
                Space sp = space(p.id());
                if (sp.consumers.stream().anyMatch(c -> c.path().equals(path))) {
                    block(p.id(), "are read twice by " + path + " (a concat of one branch twice)");
                }
                sp.consumers.add(new Consumer(path, in, axis, f.flattenShape(), p.offset()));
            }
        }

        private void passThrough(Flow f, String path) {
            for (Part p : f.parts()) {
                Space sp = space(p.id());
                if (sp.passThrough.contains(path)) {
                    block(p.id(), "pass twice through " + path + " (a concat of one branch twice)");
                }
                sp.passThrough.add(path);
                passThroughs.add(path);
                if (p.offset() != 0) {
                    sp.offsets.put(path, p.offset());
                }
            }
        }

        private Flow trace(int i, Flow f) {
            SpecTraversal.Visited v = nodes.get(i);
            LayerSpec n = v.node();
            String path = v.path();
            if (n instanceof ConvSpec c && c.groups() > 1 && c.groups() == c.in() && c.groups() == c.out()) {
                // depthwise: one filter per channel, so its channels are the input's and follow them
                passThrough(f, path);
                return new Flow(f.parts(), null);
            }
            if (n instanceof ConvSpec c) {
                int out = open(c.out());
                if (c.groups() != 1) {
                    blockAll(f, "are read by the grouped convolution " + path + ", which couples them");
                    block(out, "come from a grouped convolution, which is not pruned");
                } else {
                    consume(f, path, v.in(), 1);
                }
                space(out).producers.add(path);
                producerSpace.put(path, out);
                return new Flow(out, null);
            }
            if (n instanceof LinearSpec || n instanceof ConvTransposeSpec) {
                int axis = n instanceof ConvTransposeSpec ? 0 : 1;
                consume(f, path, v.in(), axis);
                int out = open((int) v.out().get(0));
                block(out, "are outputs of " + where(v) + ", which is not pruned");
                return new Flow(out, null);
            }
            if (n instanceof BatchNormSpec) {
                passThrough(f, path);
                return f;
            }
            if (n instanceof FlattenSpec) {
                return v.in().dimension() == 3 ? new Flow(f.parts(), v.in()) : f;
            }
            if (n instanceof ActivationSpec || n instanceof PoolSpec || n instanceof DropoutSpec
                    || n instanceof GlobalAvgPoolSpec) {
                return f;
            }
            List<Integer> kids = children(i);
            if (n instanceof SequentialSpec) {
                Flow cur = f;
                for (int k : kids) {
                    cur = trace(k, cur);
                }
                return cur;
            }
            if (n instanceof ResidualSpec r && kids.size() == r.children().size()) {
                Flow body = trace(kids.get(0), f);
                Flow side = kids.size() > 1 ? trace(kids.get(1), f) : f;
                if (body.flattenShape() != null || side.flattenShape() != null) {
                    blockAll(body, "flow into " + where(v) + " after a flatten");
                    blockAll(side, "flow into " + where(v) + " after a flatten");
                }
                if (!body.single() || !side.single()) {
                    if (body.parts().equals(side.parts())) {
                        return body;
                    }
                    blockAll(body, "flow into " + where(v) + " from a concat, added to other channels");
                    blockAll(side, "flow into " + where(v) + " from a concat, added to other channels");
                    int out = open((int) v.out().get(0));
                    block(out, "are outputs of " + where(v) + ", which adds concatenated channels");
                    return new Flow(out, null);
                }
                return new Flow(union(body.id(), side.id(), path), null);
            }
            if (n instanceof GateSpec && kids.size() == 1) {
                // x * gate(x): the gate's last producer (squeeze-excitation's excite convolution) makes one factor
                // per channel of x, so its channels and x's are removed together, as at a residual addition
                Flow gate = trace(kids.get(0), f);
                if (gate.flattenShape() == null && gate.single() && f.single()) {
                    return new Flow(union(gate.id(), f.id(), path), null);
                }
                blockAll(gate, "flow into " + where(v) + " from a flatten or a concat");
                blockAll(f, "flow into " + where(v) + " beside a flatten or a concat");
                int out = open((int) v.out().get(0));
                block(out, "are outputs of " + where(v) + ", which multiplies concatenated channels");
                return new Flow(out, null);
            }
            String couples = "flow into " + where(v) + ", which couples them to other layers";
            if (n instanceof ConcatSpec) {
                // every branch reads the same input; the branches' outputs are stacked, each at its offset
                List<Part> parts = new ArrayList<>();
                int offset = 0;
                boolean flat = false;
                List<Flow> outs = new ArrayList<>();
                for (int k : kids) {
                    Flow b = trace(k, f);
                    outs.add(b);
                    flat |= b.flattenShape() != null;
                    for (Part p : b.parts()) {
                        parts.add(new Part(p.id(), offset + p.offset()));
                    }
                    offset += (int) nodes.get(k).out().get(0);
                }
                if (flat || v.out().dimension() != 3) {
                    outs.forEach(b -> blockAll(b, couples));
                    int out = open((int) v.out().get(0));
                    block(out, "are outputs of " + where(v) + ", which is not followed");
                    return new Flow(out, null);
                }
                return new Flow(parts, null);
            }
            blockAll(f, couples);
            for (int k : kids) {
                int in = open((int) nodes.get(k).in().get(0));
                block(in, "are inputs of " + where(nodes.get(k)) + " inside " + where(v));
                Flow o = trace(k, new Flow(in, null));
                blockAll(o, couples);
            }
            int out = open((int) (v.out().dimension() == 0 ? 1 : v.out().get(0)));
            block(out, "are outputs of " + where(v) + ", which this analysis does not follow");
            return new Flow(out, null);
        }
    }
}

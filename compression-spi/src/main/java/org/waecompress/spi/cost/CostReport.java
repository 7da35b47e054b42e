package org.waecompress.spi.cost;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.ParamDef;
import org.waecompress.spi.spec.SpecException;
import org.waecompress.spi.spec.SpecTraversal;

/**
 * Multiply-accumulates and parameters per node and in total, computed from a spec and its input
 * shape alone (no weights, no engine).
 *
 * <p><b>What is counted.</b> MACs: one per multiply-add of convolutions (including transposed ones)
 * and fully connected layers, for one sample; bias additions, batch-norm, activations, pooling and
 * residual additions count zero. This is the convention of torchvision's model table, ptflops and
 * the WAE paper's "FLOPs" (VGG16 at 224: 15.47 G); ThiNet counts two FLOPs per MAC. Parameters:
 * trainable tensors only (weights, biases, batch-norm scale and shift), as torchvision counts them;
 * batch-norm running statistics are buffers and not counted.
 */
public final class CostReport {

    private final String network;
    private final List<LayerCost> nodes;
    private final long totalMacs;
    private final long totalParams;

    private CostReport(String network, List<LayerCost> nodes) {
        this.network = network;
        this.nodes = Collections.unmodifiableList(nodes);
        this.totalMacs = nodes.isEmpty() ? 0 : nodes.get(0).macs();
        this.totalParams = nodes.isEmpty() ? 0 : nodes.get(0).params();
    }

    /**
     * Computes the report of a spec.
     *
     * @param spec the spec
     * @return the report
     */
    public static CostReport of(NetworkSpec spec) {
        List<SpecTraversal.Visited> visited = spec.nodes();
        try {
            return of(spec, visited);
        } catch (ArithmeticException e) {
            throw new SpecException(spec.name() + " (input " + spec.inputShape() + "): its MAC count overflows a "
                    + "64-bit integer; the input or a layer is far too large");
        }
    }

    private static CostReport of(NetworkSpec spec, List<SpecTraversal.Visited> visited) {
        List<LayerCost> rows = new ArrayList<>();
        long[] macs = new long[visited.size()];
        long[] params = new long[visited.size()];
        for (int i = 0; i < visited.size(); i++) {
            SpecTraversal.Visited v = visited.get(i);
            macs[i] = v.node().macs(v.in(), v.out());
            for (ParamDef p : v.node().params(v.in())) {
                if (p.kind().trainable()) {
                    params[i] += p.size();
                }
            }
        }
        // Pre-order: a node's subtree is the run of following nodes deeper than it.
        for (int i = visited.size() - 1; i >= 0; i--) {
            int d = visited.get(i).depth();
            for (int j = i + 1; j < visited.size() && visited.get(j).depth() > d; j++) {
                if (visited.get(j).depth() == d + 1) {
                    macs[i] = Math.addExact(macs[i], macs[j]);
                    params[i] = Math.addExact(params[i], params[j]);
                }
            }
        }
        for (int i = 0; i < visited.size(); i++) {
            SpecTraversal.Visited v = visited.get(i);
            rows.add(new LayerCost(v.path(), v.node().type(), v.in(), v.out(), params[i], macs[i], v.depth(),
                    v.node().children().isEmpty()));
        }
        return new CostReport(spec.name(), rows);
    }

    /**
     * Returns every node, parents before children; composite rows hold their subtree's totals.
     *
     * @return the rows
     */
    public List<LayerCost> nodes() {
        return nodes;
    }

    /**
     * Returns the leaf rows only (the layers).
     *
     * @return the leaf rows, in execution order
     */
    public List<LayerCost> layers() {
        return nodes.stream().filter(LayerCost::leaf).toList();
    }

    /**
     * Returns the total multiply-accumulates for one sample.
     *
     * @return the MAC count
     */
    public long totalMacs() {
        return totalMacs;
    }

    /**
     * Returns the total number of trainable parameters.
     *
     * @return the parameter count
     */
    public long totalParams() {
        return totalParams;
    }

    /**
     * Returns the MACs of the subtree at {@code path} (a node path; the root is "").
     *
     * @param path the node path
     * @return the subtree's MACs, or 0 if no node has that path
     */
    public long macsOf(String path) {
        return nodes.stream().filter(n -> n.path().equals(path)).mapToLong(LayerCost::macs).findFirst().orElse(0);
    }

    /**
     * Returns the network's name.
     *
     * @return the name
     */
    public String network() {
        return network;
    }

    /**
     * Formats a MAC or parameter count with an SI suffix ({@code 15.47 G}).
     *
     * @param n the count
     * @return the text
     */
    public static String human(long n) {
        if (n >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.2f G", n / 1e9);
        }
        if (n >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.2f M", n / 1e6);
        }
        if (n >= 1_000L) {
            return String.format(Locale.ROOT, "%.2f K", n / 1e3);
        }
        return Long.toString(n);
    }

    /**
     * Renders a per-layer table (like torchinfo) with totals.
     *
     * @param includeComposites whether to list composite nodes with their subtree totals
     * @return the text table
     */
    public String toText(boolean includeComposites) {
        StringBuilder sb = new StringBuilder();
        int pathWidth = Math.max(10, nodes.stream().mapToInt(n -> n.path().length() + 2 * n.depth()).max()
                .orElse(10));
        pathWidth = Math.min(pathWidth, 60);
        String fmt = "%-" + pathWidth + "s  %-14s  %-18s  %14s  %16s%n";
        sb.append(String.format(Locale.ROOT, fmt, "layer", "type", "output", "params", "MACs"));
        sb.append("-".repeat(pathWidth + 70)).append('\n');
        for (LayerCost n : nodes) {
            if (!n.leaf() && !includeComposites) {
                continue;
            }
            String p = n.path().isEmpty() ? "(network)" : n.path();
            String label = includeComposites ? "  ".repeat(n.depth()) + p : p;
            sb.append(String.format(Locale.ROOT, fmt, label, n.type(), n.out(),
                    String.format(Locale.ROOT, "%,d", n.params()), String.format(Locale.ROOT, "%,d", n.macs())));
        }
        sb.append("-".repeat(pathWidth + 70)).append('\n');
        sb.append(String.format(Locale.ROOT, "total params: %,d (%s)%n", totalParams, human(totalParams)));
        sb.append(String.format(Locale.ROOT, "total MACs:   %,d (%s) per sample (conv + linear multiply-adds)%n",
                totalMacs, human(totalMacs)));
        return sb.toString();
    }
}

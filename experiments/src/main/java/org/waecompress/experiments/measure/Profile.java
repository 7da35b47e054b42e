package org.waecompress.experiments.measure;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.cost.LayerCost;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SpecTraversal;
import org.waecompress.spi.train.ProgressListener;

/**
 * Where a network's CPU time goes: every node down to a depth is built on its own (random weights,
 * its input shape from the spec) and all of them are timed alternately with the whole network, as
 * {@link Latency} times networks. Each row gives the node's median time, its share of the whole
 * network's time against its share of the MACs, and its multiply-accumulate rate, which shows the
 * layers that cost more than their MACs (thin convolutions, bandwidth-bound fully connected layers,
 * layers with no MACs at all).
 *
 * <p>A node timed alone skips the glue between nodes (the containers' own calls), so children add
 * up to a little less than their parent.
 */
public final class Profile {

    /**
     * One profiled node.
     *
     * @param cost the node's cost (path, type, shapes, MACs, parameters, depth)
     * @param stats its timing
     */
    public record Row(LayerCost cost, Latency.Stats stats) {
        /**
         * Returns the multiply-accumulate rate at the median time.
         *
         * @return billions of MACs per second (0 for nodes without MACs)
         */
        public double gmacsPerSecond() {
            return cost.macs() * stats.batch() / (stats.medianMs() * 1e6);
        }
    }

    private Profile() {}

    /**
     * Profiles a network.
     *
     * @param spec the network
     * @param maxDepth the deepest nodes to time (0: the whole network only)
     * @param batch the batch size
     * @param warmup untimed rounds
     * @param runs timed rounds
     * @param listener progress
     * @return one row per node in pre-order, the whole network first
     */
    public static List<Row> of(NetworkSpec spec, int maxDepth, int batch, int warmup, int runs,
            ProgressListener listener) {
        List<SpecTraversal.Visited> visited = spec.nodes();
        List<LayerCost> nodes = CostReport.of(spec).nodes();
        List<LayerCost> costs = new ArrayList<>();
        List<PtTimed> built = new ArrayList<>();
        try (NDManager m = Devices.newManager()) {
            try {
                for (int i = 0; i < visited.size(); i++) {
                    SpecTraversal.Visited v = visited.get(i);
                    if (v.depth() > maxDepth) {
                        continue;
                    }
                    NetworkSpec part = v.depth() == 0 ? spec
                            : new NetworkSpec(spec.name() + "/" + v.path(), v.in(), v.node());
                    try (Network n = Network.random(part, 1, 1000L + i)) {
                        built.add(new PtTimed(n.build(m)));
                    }
                    costs.add(nodes.get(i));
                }
                List<Latency.Stats> stats = Latency.alternate(built, batch, warmup, runs, 0, listener);
                List<Row> rows = new ArrayList<>();
                for (int i = 0; i < costs.size(); i++) {
                    rows.add(new Row(costs.get(i), stats.get(i)));
                }
                return rows;
            } finally {
                built.forEach(PtTimed::close);
            }
        }
    }

    /**
     * Formats rows as a text table.
     *
     * @param rows the rows, the whole network first
     * @return the table
     */
    public static String toText(List<Row> rows) {
        Row total = rows.get(0);
        StringBuilder sb = new StringBuilder();
        String head = String.format(Locale.ROOT, "%-34s %-14s %-18s %10s %10s %7s %7s %9s %9s%n", "node", "type",
                "output", "MACs", "ms", "% time", "% MACs", "time/MAC", "GMAC/s");
        sb.append(head).append("-".repeat(head.length() - 1)).append('\n');
        for (Row r : rows) {
            LayerCost c = r.cost();
            String name = "  ".repeat(c.depth()) + (c.depth() == 0 ? "(network)" : c.path());
            double timeShare = r.stats().medianMs() / total.stats().medianMs();
            double macShare = total.cost().macs() == 0 ? 0 : (double) c.macs() / total.cost().macs();
            sb.append(String.format(Locale.ROOT, "%-34s %-14s %-18s %10s %10.3f %6.1f%% %6.1f%% %9s %9s%n", name,
                    c.type(), c.out(), CostReport.human(c.macs()), r.stats().medianMs(), 100 * timeShare,
                    100 * macShare, macShare == 0 ? "-" : String.format(Locale.ROOT, "%.2fx", timeShare / macShare),
                    c.macs() == 0 ? "-" : String.format(Locale.ROOT, "%.1f", r.gmacsPerSecond())));
        }
        sb.append(String.format(Locale.ROOT, "median of %d alternated runs per node, batch %d, %d intra-op threads; "
                + "time/MAC = share of the network's time over share of its MACs (above 1: slower per MAC than "
                + "the network as a whole); nodes timed alone, without the glue between them%n",
                total.stats().runs(), total.stats().batch(), Latency.threads()));
        return sb.toString();
    }
}

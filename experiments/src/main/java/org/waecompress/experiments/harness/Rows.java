package org.waecompress.experiments.harness;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.waecompress.experiments.measure.LatencySettings;
import org.waecompress.experiments.result.Cost;
import org.waecompress.experiments.result.Errors;
import org.waecompress.experiments.result.PaperReference;
import org.waecompress.experiments.result.ResultRow;
import org.waecompress.experiments.result.RowProvenance;
import org.waecompress.experiments.result.Timings;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.spec.ConcatSpec;
import org.waecompress.spi.spec.Int8Spec;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.ParamDef;
import org.waecompress.spi.spec.QuantRole;
import org.waecompress.spi.spec.QuantizeSpec;
import org.waecompress.spi.spec.ResidualSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecTraversal;
import org.waecompress.spi.train.Accuracy;

/** Builds a run's result rows from what was measured for them. */
final class Rows {

    private Rows() {}

    /**
     * Returns a measured row.
     *
     * @param id the row's id
     * @param label its label in tables
     * @param strategy the strategy id, or null for the backbone
     * @param spec the row's network
     * @param baseCost the backbone's cost
     * @param acc the test-set accuracy, or null when accuracy is off
     * @param measured the timings and the exported file
     * @param latency the run's latency settings (batch sizes)
     * @param seconds wall time spent training or compressing
     * @param paper the paper's numbers for the row, or null
     * @param settings the strategy's settings as given
     * @return the row
     */
    static ResultRow measured(String id, String label, String strategy, NetworkSpec spec, CostReport baseCost,
            Accuracy acc, RowTiming.Measured measured, LatencySettings latency, double seconds, PaperReference paper,
            Map<String, String> settings) {
        CostReport cost = CostReport.of(spec);
        Errors errors = errors(acc == null ? null : new Errors(acc.top1Error(), acc.top5Error(), acc.samples()),
                measured.onnxAccuracy(), measured.besidePyTorch());
        return new ResultRow(id, label, spec.name(), strategy, errors,
                new Cost(cost.totalMacs(), cost.totalParams(), baseCost.totalMacs() / (double) cost.totalMacs(),
                        partMacs(spec, cost), weightBytes(spec), int8(spec), floatNodes(spec)),
                new Timings(latency.batch(), latency.throughputBatch(), measured.timings()), measured.onnx(), paper,
                new RowProvenance(seconds, settings, Instant.now().toString()), null);
    }

    /**
     * Returns a computed row with its timings.
     *
     * @param computed the row, its timings empty
     * @param measured the timings and the exported file
     * @return the timed row
     */
    static ResultRow timed(ResultRow computed, RowTiming.Measured measured) {
        Timings t = computed.timings();
        return new ResultRow(computed.id(), computed.label(), computed.network(), computed.strategy(),
                errors(computed.errors(), measured.onnxAccuracy(), measured.besidePyTorch()), computed.cost(),
                new Timings(t.latencyBatch(), t.throughputBatch(), measured.timings()), measured.onnx(),
                computed.paper(), computed.provenance(), computed.failure());
    }

    /**
     * Puts ONNX Runtime's errors of the exported file first, with the PyTorch engine's beside them (the
     * simulated int8 of an int8 row), when the run measured both; ONNX Runtime's alone when the PyTorch
     * engine's were not asked for ({@code accuracy.engine = onnxruntime}).
     *
     * @param pytorch the PyTorch engine's errors, or null
     * @param onnx ONNX Runtime's, or null (not asked for, or the network could not be exported)
     * @param both whether to keep the PyTorch engine's beside ONNX Runtime's
     * @return the row's errors
     */
    static Errors errors(Errors pytorch, Accuracy onnx, boolean both) {
        if (onnx == null || pytorch == null) {
            return pytorch;
        }
        return new Errors(onnx.top1Error(), onnx.top5Error(), onnx.samples(), Errors.ONNXRUNTIME,
                both ? pytorch.top1() : null, both ? pytorch.top5() : null);
    }

    /**
     * Returns the size of a network's weights as deployed: an int8 layer's weights take a byte each, plus a
     * float scale per output channel and its bias in int32; every other parameter a float.
     *
     * @param spec the spec
     * @return bytes
     */
    static long weightBytes(NetworkSpec spec) {
        long bytes = 0;
        for (SpecTraversal.Visited v : spec.nodes()) {
            for (ParamDef p : v.node().params(v.in())) {
                boolean int8Weight = v.node() instanceof Int8Spec && p.name().equals("weight");
                bytes += int8Weight ? p.shape().size() + 4 * p.shape().get(0) : 4 * p.shape().size();
            }
        }
        return bytes;
    }

    /**
     * Lists what an int8 network leaves in float: leaves whose {@link QuantRole} is float, and composites
     * whose own operations between their parts the int8 pass does not know (WAE's split and score sum), by
     * node type with a count and the first path.
     *
     * @param spec the spec
     * @return the list, or null for a network without quantization points
     */
    static List<String> floatNodes(NetworkSpec spec) {
        if (!int8(spec)) {
            return null;
        }
        Map<String, List<String>> byType = new LinkedHashMap<>();
        for (SpecTraversal.Visited v : spec.nodes()) {
            LayerSpec n = v.node();
            boolean known = n instanceof SequentialSpec || n instanceof ResidualSpec || n instanceof ConcatSpec
                    || n instanceof QuantizeSpec || n instanceof Int8Spec;
            boolean floating = n.children().isEmpty() ? n.quantRole() == QuantRole.FLOAT && !known : !known;
            if (floating) {
                byType.computeIfAbsent(n.type(), t -> new java.util.ArrayList<>()).add(v.path().isEmpty() ? "the root"
                        : v.path());
            }
        }
        List<String> out = new java.util.ArrayList<>();
        byType.forEach((type, paths) -> out.add(type + (paths.size() > 1 ? " x" + paths.size() : "") + " ("
                + paths.get(0) + (paths.size() > 1 ? ", ..." : "") + ")"));
        return out;
    }

    /**
     * Tells whether a network has quantization points.
     *
     * @param spec the spec
     * @return true for an int8 network
     */
    static boolean int8(NetworkSpec spec) {
        return spec.nodes().stream().anyMatch(v -> v.node() instanceof QuantizeSpec);
    }

    /**
     * Returns the row of a strategy whose training diverged: its cost from the architecture the strategy gives
     * without data when it can (null: a data-dependent architecture, no cost to show), no accuracy or latency,
     * and why.
     *
     * @param id the row's id
     * @param arch the strategy's architecture, or null
     * @param baseCost the backbone's cost
     * @param latency the run's latency settings
     * @param seconds wall time spent before it diverged
     * @param settings the strategy's settings as given
     * @param why the divergence
     * @return the row
     */
    static ResultRow failed(String id, NetworkSpec arch, CostReport baseCost, LatencySettings latency, double seconds,
            Map<String, String> settings, RuntimeException why) {
        CostReport c = arch == null ? null : CostReport.of(arch);
        long macs = c == null ? 0 : c.totalMacs();
        return new ResultRow(id, id, arch == null ? id : arch.name(), id, null,
                new Cost(macs, c == null ? 0 : c.totalParams(), macs == 0 ? 0 : baseCost.totalMacs() / (double) macs,
                        null),
                new Timings(latency.batch(), latency.throughputBatch(), List.of()), null, null,
                new RowProvenance(seconds, settings, Instant.now().toString()), "training diverged: "
                        + why.getMessage());
    }

    /**
     * Returns the MACs of each top-level part when the network's root is a composite node (not a plain
     * sequence of layers), so tables can say what an encoder or a branch costs.
     *
     * @param spec the network's spec
     * @param cost its cost report
     * @return part path to MACs, in order, or null
     */
    static Map<String, Long> partMacs(NetworkSpec spec, CostReport cost) {
        if (spec.root() instanceof SequentialSpec || spec.root().children().isEmpty()) {
            return null;
        }
        Map<String, Long> parts = new LinkedHashMap<>();
        List<LayerSpec> children = spec.root().children();
        for (int i = 0; i < children.size(); i++) {
            String path = SpecTraversal.childPath("", children.get(i), i);
            parts.put(path, cost.macsOf(path));
        }
        return parts;
    }
}

package org.waecompress.experiments.measure;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.waecompress.experiments.onnx.OrtNetwork;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.cost.LayerCost;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.spec.NetworkSpec;

/**
 * Where a network's time goes in ONNX Runtime, from ONNX Runtime's own profiler: every kernel of
 * the optimised graph (after fusion and layout changes) timed in every run, reported as medians
 * over the runs, by kernel, by operator type and, for files this project exported, by spec node
 * with its share of the MACs.
 *
 * <p>Kernels map back to spec nodes through their names ({@code PATH/OpType}, as {@link
 * org.waecompress.experiments.onnx.OnnxExport} names them). ONNX Runtime names a convolution fused
 * with its activation after the activation: such a kernel is counted under the convolution or
 * linear layer just before that activation. Kernels ONNX Runtime adds itself (the {@code
 * ReorderInput}/{@code ReorderOutput} of its blocked NCHWc layout) have no spec node.
 */
public final class OrtProfile {

    /**
     * One kernel of the optimised graph.
     *
     * @param name ONNX Runtime's node name
     * @param op the operator it runs ({@code Conv} for a fused convolution)
     * @param path the spec node it belongs to, or null for a kernel ONNX Runtime added
     * @param medianMs the median over the timed runs
     * @param inputs its input shapes, as the profiler records them
     */
    public record Kernel(String name, String op, String path, double medianMs, String inputs) {}

    /**
     * The profile.
     *
     * @param kernels every kernel, in execution order
     * @param runMedianMs the median of whole runs ({@code model_run})
     * @param runs the timed runs
     * @param threads intra-op threads
     */
    public record Result(List<Kernel> kernels, double runMedianMs, int runs, int threads) {}

    private static final Set<String> COMPUTE = Set.of("Conv", "FusedConv", "ConvTranspose", "Gemm", "FusedGemm",
            "MatMul", "FusedMatMul", "NchwcConv");

    private OrtProfile() {}

    /**
     * Profiles an ONNX file at batch 1.
     *
     * @param file the file
     * @param spec the network's spec, to map kernels to nodes, or null
     * @param threads intra-op threads
     * @param warmup untimed runs first
     * @param runs timed runs
     * @param workDir a folder for the profiler's trace
     * @return the profile
     */
    public static Result of(Path file, NetworkSpec spec, int threads, int warmup, int runs, Path workDir) {
        Path trace;
        try (OrtNetwork net = OrtNetwork.open(file, threads, workDir.resolve("ort-profile"))) {
            Random r = new Random(1);
            float[] x = new float[Math.toIntExact(net.sampleShape().size())];
            for (int i = 0; i < warmup + runs; i++) {
                for (int k = 0; k < x.length; k++) {
                    x[k] = r.nextFloat();
                }
                net.run(x, 1);
            }
            trace = net.endProfiling();
        }
        try {
            return parse(Files.readString(trace), spec, warmup, runs, threads);
        } catch (IOException e) {
            throw new CompressionException(trace + ": cannot read ONNX Runtime's profile: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(trace);
            } catch (IOException e) {
                // a scratch file
            }
        }
    }

    static Result parse(String json, NetworkSpec spec, int warmup, int runs, int threads) {
        Map<String, List<Double>> times = new LinkedHashMap<>();
        Map<String, JsonObject> args = new HashMap<>();
        List<Double> whole = new ArrayList<>();
        for (JsonElement el : JsonParser.parseString(json).getAsJsonArray()) {
            JsonObject e = el.getAsJsonObject();
            String cat = e.has("cat") ? e.get("cat").getAsString() : "";
            String name = e.has("name") ? e.get("name").getAsString() : "";
            double ms = e.has("dur") ? e.get("dur").getAsDouble() / 1000.0 : 0;
            if (cat.equals("Session") && name.equals("model_run")) {
                whole.add(ms);
            } else if (cat.equals("Node") && name.endsWith("_kernel_time")) {
                String node = name.substring(0, name.length() - "_kernel_time".length());
                times.computeIfAbsent(node, k -> new ArrayList<>()).add(ms);
                args.putIfAbsent(node, e.getAsJsonObject("args"));
            }
        }
        Map<String, String> types = new HashMap<>();
        List<String> order = new ArrayList<>();
        if (spec != null) {
            for (var v : spec.nodes()) {
                types.put(v.path(), v.node().type());
                order.add(v.path());
            }
        }
        List<Kernel> kernels = new ArrayList<>();
        for (var t : times.entrySet()) {
            List<Double> all = t.getValue();
            List<Double> timed = all.subList(Math.min(warmup, Math.max(0, all.size() - runs)), all.size());
            JsonObject a = args.get(t.getKey());
            String op = a != null && a.has("op_name") ? a.get("op_name").getAsString() : "?";
            String inputs = a != null && a.has("input_type_shape") ? shapes(a.getAsJsonArray("input_type_shape")) : "";
            kernels.add(new Kernel(t.getKey(), op, path(t.getKey(), op, types, order),
                    Latency.median(timed.stream().mapToDouble(Double::doubleValue).toArray()), inputs));
        }
        List<Double> timedRuns = whole.subList(Math.min(warmup, Math.max(0, whole.size() - runs)), whole.size());
        double run = timedRuns.isEmpty() ? kernels.stream().mapToDouble(Kernel::medianMs).sum()
                : Latency.median(timedRuns.stream().mapToDouble(Double::doubleValue).toArray());
        return new Result(kernels, run, timedRuns.size(), threads);
    }

    /**
     * Returns the spec node a kernel belongs to: the part of its name before the slash (ONNX Runtime
     * prefixes {@code fused } to some fused kernels), moved from an activation to the convolution or
     * linear layer before it when the kernel computes that layer.
     */
    private static String path(String name, String op, Map<String, String> types, List<String> order) {
        String n = name.startsWith("fused ") ? name.substring("fused ".length()) : name;
        int slash = n.indexOf('/');
        if (slash < 0) {
            return null;
        }
        String p = n.substring(0, slash);
        if (COMPUTE.contains(op) && "activation".equals(types.get(p))) {
            int i = order.indexOf(p);
            String parent = p.contains(".") ? p.substring(0, p.lastIndexOf('.') + 1) : "";
            for (int j = i - 1; j >= 0; j--) {
                String q = order.get(j);
                String t = types.get(q);
                if (q.startsWith(parent) && (t.equals("conv") || t.equals("linear") || t.equals("convTranspose"))) {
                    return q;
                }
            }
        }
        return p;
    }

    private static String shapes(JsonArray a) {
        List<String> out = new ArrayList<>();
        for (JsonElement e : a) {
            for (var en : e.getAsJsonObject().entrySet()) {
                out.add(en.getValue().toString().replace(",", "x").replace("[", "").replace("]", ""));
            }
        }
        return String.join(" ", out);
    }

    /**
     * Formats a profile: by spec node down to a depth (when the spec is known), by operator, and
     * the slowest kernels.
     *
     * @param r the profile
     * @param spec the spec, or null for a file from elsewhere
     * @param maxDepth the deepest spec nodes to list
     * @param top how many of the slowest kernels to list
     * @return the text
     */
    public static String toText(Result r, NetworkSpec spec, int maxDepth, int top) {
        StringBuilder sb = new StringBuilder();
        double kernelsMs = r.kernels().stream().mapToDouble(Kernel::medianMs).sum();
        if (spec != null) {
            List<LayerCost> nodes = CostReport.of(spec).nodes();
            long total = nodes.get(0).macs();
            String head = String.format(Locale.ROOT, "%-34s %-14s %-18s %10s %10s %7s %7s %9s %9s%n", "node", "type",
                    "output", "MACs", "ms", "% time", "% MACs", "time/MAC", "GMAC/s");
            sb.append(head).append("-".repeat(head.length() - 1)).append('\n');
            for (LayerCost c : nodes) {
                if (c.depth() > maxDepth) {
                    continue;
                }
                double ms = r.kernels().stream().filter(k -> k.path() != null && within(k.path(), c.path()))
                        .mapToDouble(Kernel::medianMs).sum();
                double timeShare = ms / kernelsMs;
                double macShare = total == 0 ? 0 : (double) c.macs() / total;
                String name = "  ".repeat(c.depth()) + (c.depth() == 0 ? "(network)" : c.path());
                sb.append(String.format(Locale.ROOT, "%-34s %-14s %-18s %10s %10.3f %6.1f%% %6.1f%% %9s %9s%n",
                        name, c.type(), c.out(), CostReport.human(c.macs()), ms, 100 * timeShare, 100 * macShare,
                        macShare == 0 ? "-" : String.format(Locale.ROOT, "%.2fx", timeShare / macShare),
                        c.macs() == 0 || ms == 0 ? "-" : String.format(Locale.ROOT, "%.1f", c.macs() / (ms * 1e6))));
            }
            double unmapped = r.kernels().stream().filter(k -> k.path() == null).mapToDouble(Kernel::medianMs).sum();
            sb.append(String.format(Locale.ROOT, "%-34s %-14s %-18s %10s %10.3f %6.1f%%%n",
                    "(kernels ONNX Runtime added)", "", "", "", unmapped, 100 * unmapped / kernelsMs));
            sb.append('\n');
        }
        Map<String, double[]> byOp = new LinkedHashMap<>();
        for (Kernel k : r.kernels()) {
            double[] v = byOp.computeIfAbsent(k.op(), o -> new double[2]);
            v[0] += k.medianMs();
            v[1]++;
        }
        sb.append(String.format(Locale.ROOT, "%-22s %8s %10s %7s%n", "operator", "kernels", "ms", "% time"));
        byOp.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]))
                .forEach(e -> sb.append(String.format(Locale.ROOT, "%-22s %8d %10.3f %6.1f%%%n", e.getKey(),
                        (int) e.getValue()[1], e.getValue()[0], 100 * e.getValue()[0] / kernelsMs)));
        sb.append('\n').append(String.format(Locale.ROOT, "%-44s %-14s %10s %7s  %s%n", "slowest kernels", "operator",
                "ms", "% time", "inputs"));
        r.kernels().stream().sorted((a, b) -> Double.compare(b.medianMs(), a.medianMs())).limit(top)
                .forEach(k -> sb.append(String.format(Locale.ROOT, "%-44s %-14s %10.3f %6.1f%%  %s%n",
                        abbreviate(k.name(), 44), k.op(), k.medianMs(), 100 * k.medianMs() / kernelsMs, k.inputs())));
        sb.append(String.format(Locale.ROOT, "ONNX Runtime %s profiler: median of %d runs per kernel, batch 1, %d "
                + "intra-op threads; kernels add up to %.3f ms against %.3f ms per whole run (the session's own "
                + "work between kernels is the rest); a convolution fused with its activation is counted under the "
                + "convolution%n", OrtNetwork.version(), r.runs(), r.threads(), kernelsMs, r.runMedianMs()));
        return sb.toString();
    }

    private static boolean within(String path, String node) {
        return node.isEmpty() || path.equals(node) || path.startsWith(node + ".");
    }

    private static String abbreviate(String s, int n) {
        return s.length() <= n ? s : "..." + s.substring(s.length() - n + 3);
    }

}

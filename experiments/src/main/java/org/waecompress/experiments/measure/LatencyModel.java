package org.waecompress.experiments.measure;

import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.waecompress.experiments.onnx.OnnxExport;
import org.waecompress.experiments.onnx.OrtNetwork;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.io.AtomicFiles;
import org.waecompress.spi.io.Sha256;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.ActivationSpec;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecJson;
import org.waecompress.spi.spec.SpecTraversal;
import org.waecompress.spi.train.Progress;
import org.waecompress.spi.train.ProgressListener;

/**
 * A latency model of the runtime that measures, after NetAdapt's per-layer tables: a network is cut
 * into pieces (each convolution, linear layer or other computing node with the batch norms,
 * activations, pools and flattens that follow it; a node with branches, such as a residual block, is
 * one piece), and its time at batch 1 is predicted as
 *
 * <pre>  T(first piece alone) + sum over the other pieces of [T(previous piece + piece) - T(previous piece)]</pre>
 *
 * <p>Each piece is timed in the context of its neighbour: after the piece before it, in one network,
 * so that what the runtime does between them (a blocked layout kept or reordered, a fused
 * activation) is charged as it happens in the whole network, and the reorder at a network's end
 * telescopes away. The first piece alone carries the network's fixed cost (the session's run, the
 * input and output copies), which the model reports apart as the time of an almost empty network
 * (one ReLU) on the same input. Each time is a median over runs alternated with its partner in one
 * process, so that drift cancels; a difference comes from the two medians of one such call.
 *
 * <p>Times live in a {@link LatencyTable} per CPU, runtime version and thread count, measured the
 * first time a piece is needed and reused by every later prediction, in this run and the next.
 *
 * <p>Over 400 lines because cutting a network into pieces, timing pairs of them in context (sessions, the
 * busy-machine probe and its retries) and summing the prediction depend on one notion of a piece; the table
 * file is {@link LatencyTable}'s.
 */
public final class LatencyModel {

    /** Node types that follow a computing node into its piece. */
    static final Set<String> FOLLOWERS = Set.of("batchNorm", "activation", "pool", "dropout", "flatten",
            "globalAvgPool", "quantize");

    /** Times networks alternately in one process. */
    public interface Measurer {
        /**
         * Times networks alternately at batch 1, back to back.
         *
         * @param nets the networks
         * @return one result per network, in order
         */
        List<Latency.Stats> time(List<NetworkSpec> nets);
    }

    /**
     * One piece of a network.
     *
     * @param path the path of its first node in the network
     * @param label what it is, for people
     * @param spec the piece as a network of its own (its nodes named n0, n1, ...)
     * @param sig a hash of {@code spec}: pieces with the same sig are the same computation
     * @param macs its MACs
     * @param paths the paths of its nodes in the network
     */
    public record Piece(String path, String label, NetworkSpec spec, String sig, long macs, List<String> paths) {}

    /**
     * A piece's predicted time.
     *
     * @param piece the piece
     * @param ms for the first piece, its time alone less the fixed cost; for the others, the time it adds after
     *     the piece before it
     */
    public record Part(Piece piece, double ms) {}

    /**
     * A prediction.
     *
     * @param fixedMs the fixed cost: an almost empty network on the same input
     * @param parts every piece's share, in order
     * @param totalMs the predicted time of the whole network
     * @param measured entries this prediction measured (0: all came from the table)
     */
    public record Prediction(double fixedMs, List<Part> parts, double totalMs, int measured) {}

    private final LatencyTable table;
    private final Measurer measurer;
    /** The pause before a measurement on a busy machine is repeated, times the try; tests shorten it. */
    long pauseMs = 1000;

    /**
     * A model over a table, measuring what it lacks with a measurer.
     *
     * @param table the table
     * @param measurer the measurer
     */
    public LatencyModel(LatencyTable table, Measurer measurer) {
        this.table = table;
        this.measurer = measurer;
    }

    /**
     * Returns the table.
     *
     * @return the table
     */
    public LatencyTable table() {
        return table;
    }

    /**
     * Returns the default table file of a machine: {@code $WAEC_CACHE/latency/NAME} (or {@code
     * ~/.cache/waec/latency/NAME}).
     *
     * @param machine the machine
     * @return the file
     */
    public static Path defaultFile(LatencyTable.Machine machine) {
        return cacheDir().resolve(machine.fileName());
    }

    /**
     * Returns the folder of default tables.
     *
     * @return {@code $WAEC_CACHE/latency} or {@code ~/.cache/waec/latency}
     */
    public static Path cacheDir() {
        String env = System.getenv("WAEC_CACHE");
        Path base = env != null && !env.isBlank() ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "waec");
        return base.resolve("latency");
    }

    /**
     * Returns this process's machine for ONNX Runtime: the CPU, the runtime's version and execution
     * provider, the threads.
     *
     * @param threads intra-op threads
     * @param cpu the CPU model with its instruction set, as provenance names it
     * @return the machine
     */
    public static LatencyTable.Machine machine(int threads, String cpu) {
        OrtNetwork.environment(threads);
        int gpu = OrtNetwork.cudaDevice();
        return new LatencyTable.Machine(cpu, "ONNX Runtime " + OrtNetwork.version() + (gpu < 0 ? " CPU"
                : " CUDA GPU " + gpu), threads);
    }

    /**
     * Cuts a network into pieces.
     *
     * @param net the network
     * @return the pieces, in order
     */
    public static List<Piece> pieces(NetworkSpec net) {
        List<Leaf> leaves = new ArrayList<>();
        flatten(net.root(), "", net.inputShape(), leaves);
        List<List<Leaf>> groups = new ArrayList<>();
        List<Leaf> cur = new ArrayList<>();
        boolean computes = false;
        for (Leaf l : leaves) {
            boolean follower = FOLLOWERS.contains(l.node().type());
            if (!follower && computes) {
                groups.add(cur);
                cur = new ArrayList<>();
                computes = false;
            }
            cur.add(l);
            computes |= !follower;
        }
        if (!cur.isEmpty()) {
            if (!computes && !groups.isEmpty()) {
                groups.get(groups.size() - 1).addAll(cur);  // trailing followers join the last piece
            } else {
                groups.add(cur);
            }
        }
        List<Piece> out = new ArrayList<>();
        for (List<Leaf> g : groups) {
            NetworkSpec spec = new NetworkSpec("piece", g.get(0).in(), chain(g));
            out.add(new Piece(g.get(0).path().isEmpty() ? "(root)" : g.get(0).path(), label(g), spec,
                    Sha256.of(SpecJson.toJson(spec)).substring(0, 24), CostReport.of(spec).totalMacs(),
                    g.stream().map(Leaf::path).toList()));
        }
        return out;
    }

    /**
     * Predicts a network's time, measuring the entries the table lacks (and saving the table when it did).
     *
     * @param net the network
     * @param listener progress of the measurements
     * @return the prediction
     */
    public Prediction predict(NetworkSpec net, ProgressListener listener) {
        List<Piece> pieces = pieces(net);
        String fixedKey = "fixed:" + shape(net.inputShape());
        List<Runnable> todo = new ArrayList<>();
        Piece first = pieces.get(0);
        if (table.get(fixedKey) == null || table.get(aloneKey(first)) == null) {
            todo.add(() -> {
                List<Latency.Stats> s = measure(List.of(empty(net.inputShape()), first.spec()), listener);
                String what = "one relu on " + shape(net.inputShape());
                table.put(fixedKey, new LatencyTable.Entry(what, s.get(0).medianMs(), s.get(0).runs()));
                table.put(aloneKey(first), new LatencyTable.Entry(first.label(), s.get(1).medianMs(), s.get(1).runs()));
            });
        }
        Set<String> queued = new java.util.HashSet<>();
        for (int i = 1; i < pieces.size(); i++) {
            Piece prev = pieces.get(i - 1);
            Piece p = pieces.get(i);
            String key = afterKey(prev, p);
            if (table.get(key) == null && queued.add(key)) {  // a pair twice in one network is measured once
                todo.add(() -> {
                    List<Latency.Stats> s = measure(List.of(pair(prev, p), prev.spec()), listener);
                    table.put(key, new LatencyTable.Entry(p.label() + " after " + prev.label(),
                            s.get(0).medianMs() - s.get(1).medianMs(), s.get(0).runs()));
                });
            }
        }
        if (!todo.isEmpty()) {
            Progress progress = new Progress(listener, "latency model (" + net.name() + ")", todo.size());
            long saved = System.nanoTime();
            try {
                for (Runnable r : todo) {
                    org.waecompress.spi.error.StopRequest.check("latency model");
                    r.run();
                    progress.step(1, "");
                    if (System.nanoTime() - saved > 30e9) {
                        table.save();
                        saved = System.nanoTime();
                    }
                }
            } finally {
                table.save();  // a stopped or failed prediction keeps what it measured
            }
        }
        double fixed = table.get(fixedKey).ms();
        List<Part> parts = new ArrayList<>();
        parts.add(new Part(first, table.get(aloneKey(first)).ms() - fixed));
        for (int i = 1; i < pieces.size(); i++) {
            parts.add(new Part(pieces.get(i), table.get(afterKey(pieces.get(i - 1), pieces.get(i))).ms()));
        }
        double total = fixed + parts.stream().mapToDouble(Part::ms).sum();
        return new Prediction(fixed, parts, total, todo.size());
    }

    /**
     * Times networks, then the probe alone (beside the networks, a small probe would be timed with
     * their data in its caches, not the machine's state). The table keeps the probe's first time; a
     * call after which the probe ran more than {@link #SLOW} times slower than that (the machine busy
     * with something else, or a neighbour on its host) is repeated after a pause, up to {@link #TRIES}
     * times; if the machine stays busy, the last try is kept and a line says so.
     */
    private List<Latency.Stats> measure(List<NetworkSpec> nets, ProgressListener listener) {
        for (int attempt = 1; ; attempt++) {
            List<Latency.Stats> s = measurer.time(nets);
            Latency.Stats probe = measurer.time(List.of(probe())).get(0);
            String key = PROBE + Sha256.of(SpecJson.toJson(probe())).substring(0, 24);
            LatencyTable.Entry ref = table.get(key);
            if (ref == null) {
                table.put(key, new LatencyTable.Entry("the probe: conv 64x32x32->64x32x32 +relu, alone",
                        probe.medianMs(), probe.runs()));
                return s;
            }
            if (probe.medianMs() <= SLOW * ref.ms()) {
                return s;
            }
            if (attempt == TRIES) {
                listener.message(String.format(Locale.ROOT, "latency model: the probe ran %.2fx slower than when the "
                        + "table began, %d tries running; the machine is busy and these times may be high",
                        probe.medianMs() / ref.ms(), TRIES));
                return s;
            }
            try {
                Thread.sleep(pauseMs * attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompressionException("interrupted while the machine was busy", e);
            }
        }
    }

    /** The key of the probe's time, before the probe's hash. */
    static final String PROBE = "probe:";

    /** How much slower than its first time the probe may run before a measurement is repeated. */
    static final double SLOW = 1.25;

    /** Tries of one measurement on a busy machine. */
    static final int TRIES = 4;

    /**
     * The probe: a convolution of about 38 M MACs (a few tenths of a millisecond: long enough for its
     * median to be steady, short enough to time after every measurement) that notices a busy machine.
     */
    static NetworkSpec probe() {
        return new NetworkSpec("probe", new Shape(64, 32, 32), SequentialSpec.of("",
                org.waecompress.spi.spec.ConvSpec.of("n0", 64, 64, 3, 1, 1, true), ActivationSpec.relu("n1")));
    }

    private static String aloneKey(Piece p) {
        return "alone:" + p.sig();
    }

    private static String afterKey(Piece prev, Piece p) {
        return "after:" + prev.sig() + ":" + p.sig();
    }

    /** The previous piece and this one as one network. */
    static NetworkSpec pair(Piece prev, Piece p) {
        List<LayerSpec> nodes = new ArrayList<>();
        for (LayerSpec n : ((SequentialSpec) prev.spec().root()).layers()) {
            nodes.add(SpecJson.withName(n, "a" + nodes.size()));
        }
        int k = 0;
        for (LayerSpec n : ((SequentialSpec) p.spec().root()).layers()) {
            nodes.add(SpecJson.withName(n, "b" + k++));
        }
        return new NetworkSpec("pair", prev.spec().inputShape(), new SequentialSpec("", nodes));
    }

    /** An almost empty network: one ReLU. */
    static NetworkSpec empty(Shape in) {
        return new NetworkSpec("empty", in, SequentialSpec.of("", ActivationSpec.relu("n0")));
    }

    private static SequentialSpec chain(List<Leaf> g) {
        List<LayerSpec> nodes = new ArrayList<>();
        for (Leaf l : g) {
            nodes.add(SpecJson.withName(l.node(), "n" + nodes.size()));
        }
        return new SequentialSpec("", nodes);
    }

    private record Leaf(String path, LayerSpec node, Shape in, Shape out) {}

    private static void flatten(LayerSpec node, String path, Shape in, List<Leaf> out) {
        if (node instanceof SequentialSpec s) {
            Shape x = in;
            for (int i = 0; i < s.layers().size(); i++) {
                LayerSpec c = s.layers().get(i);
                flatten(c, SpecTraversal.childPath(path, c, i), x, out);
                x = SpecTraversal.walk(c, "", x, (a, b, d, e) -> { });
            }
            return;
        }
        out.add(new Leaf(path, node, in, SpecTraversal.walk(node, "", in, (a, b, d, e) -> { })));
    }

    private static String label(List<Leaf> g) {
        Leaf head = g.stream().filter(l -> !FOLLOWERS.contains(l.node().type())).findFirst().orElse(g.get(0));
        String rest = g.stream().filter(l -> l != head).map(l -> l.node().type().equals("activation")
                ? ((ActivationSpec) l.node()).kind() : l.node().type()).collect(Collectors.joining("+"));
        return String.format(Locale.ROOT, "%s %s->%s%s", head.node().type(), shape(head.in()), shape(head.out()),
                rest.isEmpty() ? "" : " +" + rest);
    }

    static String shape(Shape s) {
        return java.util.Arrays.stream(s.getShape()).mapToObj(Long::toString).collect(Collectors.joining("x"));
    }

    /** Sessions a measurer opens for each network: a session's time can settle in one of two levels. */
    static final int SESSIONS = 3;

    /**
     * A measurer on ONNX Runtime: each network exported with random weights, then timed in {@link
     * #SESSIONS} sessions one after another (alternated with the others in each, after a warm-up),
     * with as many runs as fit about {@code budgetMs} of timed work in all (at least 15 per session,
     * at most 300); a network's time is the lowest of its sessions' medians. One session is not enough:
     * a small network's time settles at one of two levels per session (0.056 or 0.094 ms for a 1x32x32
     * convolution with 16 output channels, in sessions of one process, the slow level sometimes in two
     * sessions running), and the lowest of three is the level the network runs at when nothing
     * interferes.
     *
     * @param threads intra-op threads
     * @param budgetMs the timed work per call
     * @return the measurer
     */
    public static Measurer onnxRuntime(int threads, double budgetMs) {
        ProgressListener quiet = ProgressListener.NONE;
        return nets -> {
            Path work;
            try {
                work = Files.createTempDirectory("waec-latency-model-");
            } catch (IOException e) {
                throw new CompressionException("cannot create a temporary folder: " + e.getMessage(), e);
            }
            try {
                List<Path> files = new ArrayList<>();
                for (int i = 0; i < nets.size(); i++) {
                    NetworkSpec spec = nets.get(i);
                    Path f = work.resolve("net-" + i + ".onnx");
                    try (Network n = Network.random(spec, (int) spec.outputShape().get(0), 42)) {
                        OnnxExport.write(n, f);
                    }
                    files.add(f);
                }
                double[][] medians = new double[nets.size()][SESSIONS];
                int total = 0;
                for (int k = 0; k < SESSIONS; k++) {
                    List<Timed> timed = new ArrayList<>();
                    try {
                        for (Path f : files) {
                            timed.add(new OrtTimed(OrtNetwork.open(f, threads), true));
                        }
                        Latency.alternate(timed, 1, 3, 0, 0, quiet);
                        double probe = Latency.alternate(timed, 1, 0, 5, 0, quiet).stream()
                                .mapToDouble(Latency.Stats::medianMs).sum();
                        int runs = (int) Math.max(15, Math.min(300, Math.ceil(budgetMs / SESSIONS
                                / Math.max(probe, 1e-3))));
                        List<Latency.Stats> s = Latency.alternate(timed, 1, 0, runs, 0, quiet);
                        for (int i = 0; i < s.size(); i++) {
                            medians[i][k] = s.get(i).medianMs();
                        }
                        total += runs;
                    } finally {
                        timed.forEach(Timed::close);
                    }
                }
                List<Latency.Stats> out = new ArrayList<>();
                for (double[] m : medians) {
                    double low = java.util.Arrays.stream(m).min().orElse(Double.NaN);
                    out.add(new Latency.Stats(1, low, java.util.Arrays.stream(m).max().orElse(low), total));
                }
                return out;
            } finally {
                AtomicFiles.deleteScratch(work);
            }
        };
    }

    /**
     * Opens the latency model of this machine on ONNX Runtime: its table from a file (or the default
     * one), measuring what it lacks with about 400 ms of timed runs per entry.
     *
     * @param file the table file, or null for {@link #defaultFile}
     * @param threads intra-op threads
     * @param cpu the CPU model with its instruction set, as provenance names it
     * @return the model
     */
    public static LatencyModel open(Path file, int threads, String cpu) {
        LatencyTable.Machine m = machine(threads, cpu);
        Path f = file != null ? file : defaultFile(m);
        return new LatencyModel(LatencyTable.open(f, m, cacheDir(), System.err), onnxRuntime(threads, 400));
    }

    /**
     * Formats a prediction per piece, against a profile's kernel times for the same nodes and the
     * whole network's measured time.
     *
     * @param p the prediction
     * @param prof ONNX Runtime's profile of the network
     * @param whole the network's measured time
     * @param table the table behind the prediction
     * @return the text
     */
    public static String toText(Prediction p, OrtProfile.Result prof, Latency.Stats whole, LatencyTable table) {
        StringBuilder sb = new StringBuilder();
        String head = String.format(Locale.ROOT, "%-22s %-52s %9s %10s %10s%n", "piece", "what", "MACs", "predicted",
                "profiled");
        sb.append(head).append("-".repeat(head.length() - 1)).append('\n');
        sb.append(String.format(Locale.ROOT, "%-22s %-52s %9s %10.3f %10s%n", "(fixed cost)",
                "an almost empty network (one relu) on the same input", "", p.fixedMs(), "-"));
        double kernels = 0;
        for (Part part : p.parts()) {
            double ms = prof.kernels().stream().filter(k -> k.path() != null && part.piece().paths().stream()
                    .anyMatch(q -> k.path().equals(q) || k.path().startsWith(q + "."))).mapToDouble(
                    OrtProfile.Kernel::medianMs).sum();
            kernels += ms;
            sb.append(String.format(Locale.ROOT, "%-22s %-52s %9s %10.3f %10.3f%n", abbreviate(part.piece().path(), 22),
                    abbreviate(part.piece().label(), 52), CostReport.human(part.piece().macs()), part.ms(), ms));
        }
        double added = prof.kernels().stream().filter(k -> k.path() == null).mapToDouble(OrtProfile.Kernel::medianMs)
                .sum();
        sb.append(String.format(Locale.ROOT, "%-22s %-52s %9s %10s %10.3f%n", "(runtime's own kernels)",
                "reorders ONNX Runtime added", "", "-", added));
        sb.append(String.format(Locale.ROOT, "%-22s %-52s %9s %10.3f %10.3f%n", "(whole network)",
                "predicted; profiled: kernels, and a whole run's median", "", p.totalMs(), prof.runMedianMs()));
        sb.append(String.format(Locale.ROOT, "%nPredicted %.3f ms, measured %.3f ms (the lowest median of 3 "
                + "sessions, %d runs in all, batch 1, back to back, without the profiler): %+.1f%%. Kernels in the "
                + "profile add up to %.3f ms of a %.3f ms "
                + "run (the profiler's own cost is in both; the rest is the session's work between kernels).%n",
                p.totalMs(), whole.medianMs(), whole.runs(), 100 * (p.totalMs() - whole.medianMs()) / whole.medianMs(),
                kernels + added, prof.runMedianMs()));
        sb.append(String.format(Locale.ROOT, "Latency table %s: %d entries (%s, %s, %d threads), %d measured by this "
                + "call.%n", table.file(), table.size(), table.machine().cpu(), table.machine().runtime(),
                table.machine().threads(), p.measured()));
        return sb.toString();
    }

    private static String abbreviate(String s, int n) {
        return s.length() <= n ? s : "..." + s.substring(s.length() - n + 3);
    }
}

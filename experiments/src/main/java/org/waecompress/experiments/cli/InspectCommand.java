package org.waecompress.experiments.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.waecompress.experiments.config.BadInputException;
import org.waecompress.experiments.harness.Machine;
import org.waecompress.experiments.measure.Latency;
import org.waecompress.experiments.measure.LatencyModel;
import org.waecompress.experiments.measure.OrtProfile;
import org.waecompress.experiments.measure.Profile;
import org.waecompress.experiments.onnx.OnnxExport;
import org.waecompress.experiments.onnx.OrtNetwork;
import org.waecompress.experiments.report.ConsoleProgress;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.cost.LayerCost;
import org.waecompress.spi.io.AtomicFiles;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.NetworkSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code waec inspect}: per-layer MACs, parameters and output shapes of a backbone or a saved spec. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Print per-layer MACs, parameters and output shapes of a backbone, an architecture or a saved "
                + "network.")
final class InspectCommand implements Callable<Integer> {

    @Mixin
    NetworkTarget network;

    @Option(names = "--format", defaultValue = "text", description = "text or json (default ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--tree", description = "Also list composite nodes with their subtree totals.")
    boolean tree;

    @Option(names = "--profile", description = "Time every node down to --depth on the CPU (random weights, batch 1) "
            + "and show its share of the time against its share of the MACs; on ONNX Runtime (its own profiler, on the "
            + "exported file: also by operator and the slowest kernels) or on the PyTorch engine (each node built and "
            + "timed alone, alternated with the whole network).")
    boolean profile;

    @Option(names = "--predict", description = "Predict the network's time on ONNX Runtime from the latency model "
            + "(each piece timed after its neighbour, kept per CPU, runtime and threads in --latency-table; pieces "
            + "it lacks are measured now) and print it per piece against ONNX Runtime's profile, and for the whole "
            + "network against its measured time.")
    boolean predict;

    @Option(names = "--latency-table", paramLabel = "FILE", description = "The latency model's table for --predict "
            + "(default: one per CPU, runtime version and thread count under $WAEC_CACHE/latency or "
            + "~/.cache/waec/latency).")
    Path latencyTable;

    @Option(names = "--engine", defaultValue = "onnxruntime", description = "onnxruntime or pytorch, for --profile "
            + "(default ${DEFAULT-VALUE}).")
    String engine;

    @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime's intra-op threads for --profile "
            + "and --predict (default: as many as the PyTorch engine uses).")
    int threads;

    @Option(names = "--top", defaultValue = "12", description = "Slowest kernels --profile lists on ONNX Runtime "
            + "(default ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--depth", defaultValue = "2",
            description = "Deepest nodes --profile times (default ${DEFAULT-VALUE}).")
    int depth;

    @Option(names = "--runs", defaultValue = "10",
            description = "Timed runs per node for --profile, and of the profile --predict prints (default "
                    + "${DEFAULT-VALUE}).")
    int runs;

    @Override
    public Integer call() throws Exception {
        boolean onnxFile = network.isOnnxFile();
        if (predict) {
            if (profile) {
                throw new BadInputException("--predict and --profile: give one (--predict prints the profile too)");
            }
            return predict();
        }
        if (profile) {
            return profile(onnxFile);
        }
        NetworkSpec spec = network.spec();
        CostReport r = CostReport.of(spec);
        switch (format) {
            case "text" -> {
                System.out.println(spec.name() + "  input " + spec.inputShape() + "  output " + spec.outputShape());
                System.out.print(r.toText(tree));
            }
            case "json" -> System.out.println(toJson(spec, r));
            default -> throw new BadInputException("--format " + format + ": expected text or json");
        }
        return 0;
    }

    private int profile(boolean onnxFile) throws Exception {
        if (depth < 0) {
            throw new BadInputException("--depth " + depth + ": expected 0 or more");
        }
        checkTimedOptions("--profile");
        int warmup = Math.max(2, runs / 5);
        int t = threads == 0 ? Latency.threads() : threads;
        switch (engine) {
            case "pytorch" -> {
                if (onnxFile) {
                    throw new BadInputException("--engine pytorch: " + network.target + " is an ONNX file; profile it "
                            + "with --engine onnxruntime, or give the network it came from");
                }
                NetworkSpec spec = network.spec();
                System.out.println(spec.name() + "  input " + spec.inputShape() + "  output " + spec.outputShape());
                System.out.print(Profile.toText(Profile.of(spec, depth, 1, warmup, runs, ConsoleProgress.stderr())));
            }
            case "onnxruntime" -> {
                Path work = Files.createTempDirectory("waec-profile-");
                try {
                    Path file;
                    NetworkSpec spec;
                    if (onnxFile) {
                        file = Path.of(network.target);
                        spec = specOf(file);
                    } else {
                        spec = network.spec();
                        file = work.resolve("network.onnx");
                        try (Network n = Network.random(spec, (int) spec.outputShape().get(0), 42)) {
                            OnnxExport.write(n, file);
                        }
                    }
                    System.out.println((spec == null ? file.getFileName().toString() : spec.name() + "  input "
                            + spec.inputShape() + "  output " + spec.outputShape()) + "  (ONNX Runtime)");
                    System.out.print(OrtProfile.toText(OrtProfile.of(file, spec, t, warmup, runs, work), spec, depth,
                            top));
                } finally {
                    AtomicFiles.deleteScratch(work);
                }
            }
            default -> throw new BadInputException("--engine " + engine + ": expected onnxruntime or pytorch");
        }
        return 0;
    }

    /** The options --profile and --predict share: runs, threads and a text format. */
    private void checkTimedOptions(String mode) {
        if (runs < 1) {
            throw new BadInputException("--runs " + runs + ": expected 1 or more");
        }
        if (threads < 0) {
            throw new BadInputException("--threads " + threads + ": expected 0 (the default) or more");
        }
        if (!format.equals("text")) {
            throw new BadInputException("--format " + format + ": " + mode + " prints text only");
        }
    }

    private int predict() throws Exception {
        checkTimedOptions("--predict");
        if (!engine.equals("onnxruntime")) {
            throw new BadInputException("--engine " + engine + ": the latency model predicts ONNX Runtime only");
        }
        int t = threads == 0 ? Latency.threads() : threads;
        OrtNetwork.environment(t);  // the shared pool at this size before any session opens
        NetworkSpec spec = network.spec();
        LatencyModel model = LatencyModel.open(latencyTable, t,
                Machine.cpuModel());
        LatencyModel.Prediction pred = model.predict(spec, ConsoleProgress.stderr());
        Path work = Files.createTempDirectory("waec-predict-");
        try {
            Path file = work.resolve("network.onnx");
            try (Network n = Network.random(spec, (int) spec.outputShape().get(0), 42)) {
                OnnxExport.write(n, file);
            }
            Latency.Stats whole = LatencyModel.onnxRuntime(t, 2000).time(List.of(spec)).get(0);
            OrtProfile.Result prof = OrtProfile.of(file, spec, t, Math.max(2, runs / 5), runs, work);
            System.out.println(spec.name() + "  input " + spec.inputShape() + "  output " + spec.outputShape()
                    + "  (" + OrtNetwork.describe(t) + ")");
            System.out.print(LatencyModel.toText(pred, prof, whole, model.table()));
        } finally {
            AtomicFiles.deleteScratch(work);
        }
        return 0;
    }

    private static NetworkSpec specOf(Path onnx) {
        try (OrtNetwork o = OrtNetwork.open(onnx, 1)) {
            return o.spec();
        } catch (org.waecompress.spi.error.CompressionException e) {
            throw new BadInputException(e.getMessage());
        }
    }

    private static String toJson(NetworkSpec spec, CostReport r) {
        JsonObject o = new JsonObject();
        o.addProperty("network", spec.name());
        o.addProperty("input", spec.inputShape().toString());
        o.addProperty("totalMacs", r.totalMacs());
        o.addProperty("totalParams", r.totalParams());
        o.addProperty("macsCount", "conv + linear multiply-accumulates per sample");
        JsonArray layers = new JsonArray();
        for (LayerCost c : r.nodes()) {
            JsonObject l = new JsonObject();
            l.addProperty("path", c.path());
            l.addProperty("type", c.type());
            l.addProperty("output", c.out().toString());
            l.addProperty("params", c.params());
            l.addProperty("macs", c.macs());
            l.addProperty("leaf", c.leaf());
            layers.add(l);
        }
        o.add("layers", layers);
        return new GsonBuilder().setPrettyPrinting().create().toJson(o);
    }
}

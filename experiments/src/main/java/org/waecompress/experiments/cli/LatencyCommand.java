package org.waecompress.experiments.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.waecompress.experiments.config.BadInputException;
import org.waecompress.experiments.harness.Machine;
import org.waecompress.experiments.measure.ForkedLatency;
import org.waecompress.experiments.measure.Latency;
import org.waecompress.experiments.measure.LatencyEngine;
import org.waecompress.experiments.measure.LatencyModel;
import org.waecompress.experiments.measure.LatencySettings;
import org.waecompress.experiments.measure.Timed;
import org.waecompress.experiments.onnx.OnnxExport;
import org.waecompress.experiments.onnx.OnnxImport;
import org.waecompress.experiments.onnx.OrtNetwork;
import org.waecompress.experiments.report.ConsoleProgress;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.io.AtomicFiles;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.NetworkSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code waec latency}: times networks alternately on one engine, the way runs time a row against
 * its backbone, and prints each one's median, p90 and speed-up over the first, with the process's
 * resident memory before and after the timed runs. Takes ONNX files from anywhere (a file from
 * {@code torch.onnx.export} against one of ours, say) as well as the networks {@code inspect}
 * takes.
 */
@Command(name = "latency", mixinStandardHelpOptions = true,
        description = "Time networks or ONNX files alternately (the first is the reference) and print median, p90, "
                + "speed-up and memory growth.")
final class LatencyCommand implements Callable<Integer> {

    @Parameters(paramLabel = "NETWORK", arity = "1..*", description = "FILE.onnx, a backbone name, "
            + "STRATEGY-on-BACKBONE or a saved NAME.spec.json; the first is the reference of the speed-ups.")
    List<String> networks;

    @Option(names = "--engine", defaultValue = "onnxruntime",
            description = "onnxruntime or pytorch (default ${DEFAULT-VALUE}).")
    String engine;

    @Option(names = "--runs", defaultValue = "30",
            description = "Timed runs of each network (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup", defaultValue = "5", description = "Untimed runs first (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--batch", defaultValue = "1", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--gap-ms", defaultValue = "0", description = "Idle milliseconds before each timed run "
            + "(default ${DEFAULT-VALUE}: back to back).")
    int gapMs;

    @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime's intra-op threads (default: as many "
            + "as the PyTorch engine uses).")
    int threads;

    @Option(names = "--forks", defaultValue = "0", description = "Repeat the timing in this many fresh JVMs and report "
            + "medians over them (default ${DEFAULT-VALUE}: this process).")
    int forks;

    @Option(names = "--input", paramLabel = "CxHxW", description = "Input shape of named networks.")
    String input;

    @Option(names = "--width", defaultValue = "1.0",
            description = "Width factor of small-image backbones (default ${DEFAULT-VALUE}).")
    double width;

    @Option(names = "--pairwise", description = "Time each network alternately with the first only, as a run times "
            + "each row with its backbone (default: all networks alternated in one loop, where each run finds the "
            + "caches holding the other networks' weights).")
    boolean pairwise;

    @Option(names = "--predict", description = "Also predict each network's time from the latency model (ONNX Runtime; "
            + "pieces the model's table lacks are measured first) and print the error against the measured median, "
            + "with R-squared and the median absolute error over the networks.")
    boolean predict;

    @Option(names = "--latency-table", paramLabel = "FILE", description = "The latency model's table for --predict "
            + "(default: one per CPU, runtime version and thread count under $WAEC_CACHE/latency or "
            + "~/.cache/waec/latency).")
    Path latencyTable;

    @Override
    public Integer call() throws Exception {
        LatencyEngine e;
        try {
            e = LatencyEngine.of(engine);
        } catch (IllegalArgumentException ex) {
            throw new BadInputException("--engine " + engine + ": expected onnxruntime or pytorch");
        }
        if (runs < 1 || warmup < 0 || batch < 1 || gapMs < 0 || threads < 0 || forks < 0) {
            throw new BadInputException("--runs and --batch must be 1 or more; --warmup, --gap-ms, --threads and "
                    + "--forks 0 or more");
        }
        if (predict && (e != LatencyEngine.ONNXRUNTIME || batch != 1 || gapMs != 0)) {
            throw new BadInputException("--predict: the latency model predicts ONNX Runtime at batch 1, back to back; "
                    + "drop --engine, --batch and --gap-ms");
        }
        if (pairwise && forks > 0) {
            throw new BadInputException("--pairwise times in this process; drop --forks, or time each pair with "
                    + "--forks alone");
        }
        int t = threads == 0 ? Latency.threads() : threads;
        LatencySettings s = new LatencySettings(List.of(e), warmup, runs, batch, batch, forks, gapMs, t);
        if (e == LatencyEngine.ONNXRUNTIME) {
            OrtNetwork.environment(t);
        }
        Path work = Files.createTempDirectory("waec-latency-");
        try {
            List<Path> files = new ArrayList<>();
            for (String n : networks) {
                files.add(file(n, e, work));
            }
            List<Double> predicted = new ArrayList<>();
            if (predict) {
                LatencyModel model = LatencyModel.open(latencyTable, t,
                Machine.cpuModel());
                for (Path f : files) {
                    NetworkSpec spec;
                    try (OrtNetwork o = OrtNetwork.open(f, t)) {
                        spec = o.spec();
                    }
                    if (spec == null) {
                        spec = importedSpec(f);
                    }
                    predicted.add(spec == null ? Double.NaN : model.predict(spec, ConsoleProgress.stderr()).totalMs());
                }
                System.out.println(String.format(Locale.ROOT, "Latency model: %s, %d entries", model.table().file(),
                        model.table().size()));
            }
            System.out.println(String.format(Locale.ROOT, "%s; batch %d, median and p90 of %d runs after %d warm-up, "
                    + "%s, %s", s.describeEngines(), batch, runs, warmup, s.regime(),
                    forks > 0 ? "alternated in each of " + forks + " fresh JVMs" : pairwise
                    ? "each alternated with the first in this process" : "alternated in this process"));
            List<Latency.Stats> stats;
            List<Latency.Stats> refs = null;
            long rssBefore = 0;
            long rssAfter = 0;
            if (forks > 0) {
                ForkedLatency.Result r = ForkedLatency.measure(e, files, s, work.resolve("forks"),
                        ConsoleProgress.stderr());
                stats = r.latency();
            } else {
                List<Timed> nets = new ArrayList<>();
                try {
                    for (Path f : files) {
                        nets.add(e.open(f, t));
                    }
                    Latency.alternate(nets, batch, warmup, 0, gapMs, ConsoleProgress.stderr());
                    rssBefore = residentBytes();
                    if (pairwise) {
                        stats = new ArrayList<>();
                        refs = new ArrayList<>();
                        for (int i = 0; i < nets.size(); i++) {
                            List<Timed> two = i == 0 ? List.of(nets.get(0)) : List.of(nets.get(0), nets.get(i));
                            Latency.alternate(two, batch, warmup, 0, gapMs, ConsoleProgress.stderr());
                            List<Latency.Stats> r = Latency.alternate(two, batch, 0, runs, gapMs,
                                    ConsoleProgress.stderr());
                            refs.add(r.get(0));
                            stats.add(r.get(r.size() - 1));
                        }
                    } else {
                        stats = Latency.alternate(nets, batch, 0, runs, gapMs, ConsoleProgress.stderr());
                    }
                    rssAfter = residentBytes();
                } finally {
                    nets.forEach(Timed::close);
                }
            }
            System.out.println(String.format(Locale.ROOT, "%-40s %10s %10s %9s", "network", "median ms", "p90 ms",
                    "speed-up") + (predict ? String.format(Locale.ROOT, " %12s %8s", "predicted ms", "error") : ""));
            for (int i = 0; i < stats.size(); i++) {
                Latency.Stats st = stats.get(i);
                System.out.println(String.format(Locale.ROOT, "%-40s %10.3f %10.3f %8.2fx", networks.get(i),
                        st.medianMs(), st.p90Ms(), st.speedupOver(refs == null ? stats.get(0) : refs.get(i)))
                        + (!predict ? ""
                        : Double.isNaN(predicted.get(i)) ? String.format(Locale.ROOT, " %12s %8s", "-", "-")
                        : String.format(Locale.ROOT, " %12.3f %+7.1f%%", predicted.get(i),
                        100 * (predicted.get(i) - st.medianMs()) / st.medianMs())));
            }
            if (predict) {
                System.out.println(fit(stats, predicted));
            }
            if (forks == 0 && rssBefore > 0) {
                System.out.println(String.format(Locale.ROOT, "resident memory: %.1f MB after warm-up, %.1f MB after "
                        + "%d timed runs of each network (%+.2f%%)", rssBefore / 1e6, rssAfter / 1e6, runs,
                        100.0 * (rssAfter - rssBefore) / rssBefore));
            }
            return 0;
        } finally {
            AtomicFiles.deleteScratch(work);
        }
    }

    /** The file the engine times: an ONNX file as given, or a named network exported or saved with random weights. */
    private Path file(String name, LatencyEngine e, Path work) throws Exception {
        if (name.endsWith(".onnx")) {
            if (e != LatencyEngine.ONNXRUNTIME) {
                throw new BadInputException(name + ": an ONNX file runs on --engine onnxruntime only");
            }
            if (!Files.isReadable(Path.of(name))) {
                throw new BadInputException(name + ": file not found or not readable");
            }
            // a file ONNX Runtime cannot load is bad input, as inspect says of it; checked with the session that
            // would time it, in the run's thread pool, so nothing else is read or kept
            try (OrtNetwork o = OrtNetwork.open(Path.of(name), threads == 0 ? Latency.threads() : threads)) {
                o.file();
            } catch (CompressionException ex) {
                throw new BadInputException(ex.getMessage());
            }
            return Path.of(name);
        }
        NetworkTarget target = new NetworkTarget();
        target.target = name;
        target.input = input;
        target.width = width;
        target.row = "backbone";
        String stem = "net-" + Files.list(work).count();
        try (Network n = target.network(null, 42)) {
            if (e == LatencyEngine.ONNXRUNTIME) {
                Path f = work.resolve(stem + ".onnx");
                OnnxExport.write(n, f);
                return f;
            }
            return n.save(work, stem);
        } catch (IOException | CompressionException ex) {
            throw new BadInputException(name + ": " + ex.getMessage());
        }
    }

    /** The spec of an ONNX file without waec's metadata, as the importer reads it; null when it does not import. */
    private static NetworkSpec importedSpec(Path f) {
        try (OnnxImport.Imported i = OnnxImport.read(f)) {
            return i.network().spec();
        } catch (CompressionException e) {
            System.err.println("waec latency: no prediction for " + f + ": " + e.getMessage());
            return null;
        }
    }

    /**
     * Says how well predictions fit measured medians: R-squared of predicted against measured, and
     * the median absolute relative error.
     */
    static String fit(List<Latency.Stats> measured, List<Double> predicted) {
        List<double[]> pairs = new ArrayList<>();
        for (int i = 0; i < measured.size(); i++) {
            if (!Double.isNaN(predicted.get(i))) {
                pairs.add(new double[] {measured.get(i).medianMs(), predicted.get(i)});
            }
        }
        if (pairs.size() < 2) {
            return "Latency model: fewer than two networks with a prediction (an ONNX file that does not import has "
                    + "none); no fit";
        }
        double mean = pairs.stream().mapToDouble(p -> p[0]).average().orElse(0);
        double res = pairs.stream().mapToDouble(p -> (p[0] - p[1]) * (p[0] - p[1])).sum();
        double tot = pairs.stream().mapToDouble(p -> (p[0] - mean) * (p[0] - mean)).sum();
        double[] err = pairs.stream().mapToDouble(p -> Math.abs(p[1] - p[0]) / p[0]).toArray();
        return String.format(Locale.ROOT, "Latency model over %d networks: R-squared %s (predicted against "
                + "measured), median absolute error %.1f%%, largest %.1f%%", pairs.size(), tot == 0
                ? "undefined (every measured time the same)" : String.format(Locale.ROOT, "%.3f", 1 - res / tot),
                100 * Latency.median(err), 100 * java.util.Arrays.stream(err).max().orElse(0));
    }

    /** The process's resident set size from {@code /proc/self/status}, or 0 where there is none. */
    static long residentBytes() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}

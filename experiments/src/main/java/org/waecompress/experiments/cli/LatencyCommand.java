package org.waecompress.experiments.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.waecompress.experiments.config.BadInputException;
import org.waecompress.experiments.measure.ForkedLatency;
import org.waecompress.experiments.measure.Latency;
import org.waecompress.experiments.measure.LatencyEngine;
import org.waecompress.experiments.measure.LatencySettings;
import org.waecompress.experiments.measure.Timed;
import org.waecompress.experiments.onnx.OnnxExport;
import org.waecompress.experiments.onnx.OrtNetwork;
import org.waecompress.experiments.report.ConsoleProgress;
import org.waecompress.spi.CompressionException;
import org.waecompress.spi.network.Network;
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
            System.out.println(String.format(Locale.ROOT, "%s; batch %d, median and p90 of %d runs after %d warm-up, "
                    + "%s, %s", s.describeEngines(), batch, runs, warmup, s.regime(),
                    forks == 0 ? "alternated in this process" : "alternated in each of " + forks + " fresh JVMs"));
            List<Latency.Stats> stats;
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
                    stats = Latency.alternate(nets, batch, 0, runs, gapMs, ConsoleProgress.stderr());
                    rssAfter = residentBytes();
                } finally {
                    nets.forEach(Timed::close);
                }
            }
            System.out.println(String.format(Locale.ROOT, "%-40s %10s %10s %9s", "network", "median ms", "p90 ms",
                    "speed-up"));
            for (int i = 0; i < stats.size(); i++) {
                Latency.Stats st = stats.get(i);
                System.out.println(String.format(Locale.ROOT, "%-40s %10.3f %10.3f %8.2fx", networks.get(i),
                        st.medianMs(), st.p90Ms(), st.speedupOver(stats.get(0))));
            }
            if (forks == 0 && rssBefore > 0) {
                System.out.println(String.format(Locale.ROOT, "resident memory: %.1f MB after warm-up, %.1f MB after "
                        + "%d timed runs of each network (%+.2f%%)", rssBefore / 1e6, rssAfter / 1e6, runs,
                        100.0 * (rssAfter - rssBefore) / rssBefore));
            }
            return 0;
        } finally {
            try (Stream<Path> f = Files.walk(work)) {
                for (Path p : f.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
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

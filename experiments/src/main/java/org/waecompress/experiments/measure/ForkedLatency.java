package org.waecompress.experiments.measure;

import com.google.gson.Gson;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.error.StopRequest;
import org.waecompress.spi.io.AtomicFiles;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.train.Progress;
import org.waecompress.spi.train.ProgressListener;

/**
 * CPU latency measured in fresh JVMs ("forks", as JMH calls them), one after another.
 *
 * <p>On a shared 2-core machine the same network's median moves by 4-8% from one JVM to the next
 * (where the allocator and oneDNN's kernels land), more than it moves within one. A speed-up from
 * one process is therefore one draw. Here each fork loads the saved networks on one engine (ONNX
 * files in ONNX Runtime, saved specs on the PyTorch engine), times them alternately exactly as
 * {@link Latency#alternate} does in process, and reports its medians; the
 * result is the median over the forks of each network's median and p90, and the median over the
 * forks of each fork's own speed-up (a ratio of medians from one process, as the measurement rules
 * require), with every fork's speed-up kept so tables can show the spread.
 *
 * <p>A fork runs {@code java} from this JVM's installation with this JVM's class path and options
 * (debug agents left out), plus {@code ai.djl.offline=true} and tracking off, so it loads the same
 * engine with the same thread settings and never goes online.
 */
public final class ForkedLatency {

    /**
     * What the forks measured.
     *
     * @param latency per network: medians over the forks of the median and p90 at the latency batch;
     *     {@code runs} counts the timed runs of all forks together
     * @param throughput per network, the same at the throughput batch
     * @param speedups per fork, network 0's median over network 1's, from that fork alone (empty when
     *     only one network was timed)
     */
    public record Result(List<Latency.Stats> latency, List<Latency.Stats> throughput, List<Double> speedups) {

        /**
         * Returns the median of the forks' speed-ups.
         *
         * @return the median speed-up of network 1 over network 0
         */
        public double medianSpeedup() {
            return Latency.median(speedups.stream().mapToDouble(Double::doubleValue).toArray());
        }
    }

    /**
     * What one fork writes: one entry per network, in the order given, and the wall time of its
     * timing loops (idle gaps included).
     */
    record ForkOutput(List<Latency.Stats> latency, List<Latency.Stats> throughput, double seconds) {}

    private ForkedLatency() {}

    /**
     * Times saved networks alternately on one engine in {@code s.forks()} fresh JVMs, one after
     * another.
     *
     * @param engine the engine
     * @param files the networks: {@code .onnx} files for ONNX Runtime, {@code .spec.json} files
     *     (written by {@link Network#save}) for the PyTorch engine
     * @param s batch sizes, runs, duty cycle, threads and the number of forks (at least 1)
     * @param workDir a folder for the forks' result and log files
     * @param listener progress, one step per fork
     * @return the aggregate
     * @throws CompressionException if a fork fails; the message names the fork and quotes its error
     */
    public static Result measure(LatencyEngine engine, List<Path> files, LatencySettings s, Path workDir,
            ProgressListener listener) {
        int forks = s.forks();
        if (forks < 1) {
            throw new IllegalArgumentException("forks must be >= 1, got " + forks);
        }
        Progress p = new Progress(listener, "latency (" + engine.label() + ") in " + forks + " fresh JVMs", forks, 0);
        List<ForkOutput> outs = new ArrayList<>();
        for (int f = 1; f <= forks; f++) {
            outs.add(runFork(f, engine, files, s, workDir));
            p.step(1, "fork " + f + "/" + forks);
        }
        List<Latency.Stats> lat = new ArrayList<>();
        List<Latency.Stats> thr = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            lat.add(aggregate(outs, i, ForkOutput::latency));
            thr.add(aggregate(outs, i, ForkOutput::throughput));
        }
        return new Result(lat, thr, speedups(outs.stream().map(ForkOutput::latency).toList()));
    }

    /**
     * Returns each fork's own speed-up of network 1 over network 0, from that fork's medians alone.
     *
     * @param perFork each fork's latency per network
     * @return one ratio per fork (empty for a single network)
     */
    static List<Double> speedups(List<List<Latency.Stats>> perFork) {
        List<Double> speedups = new ArrayList<>();
        for (List<Latency.Stats> fork : perFork) {
            if (fork.size() >= 2) {
                speedups.add(fork.get(1).speedupOver(fork.get(0)));
            }
        }
        return speedups;
    }

    private static Latency.Stats aggregate(List<ForkOutput> outs, int net,
            Function<ForkOutput, List<Latency.Stats>> which) {
        double[] med = outs.stream().mapToDouble(o -> which.apply(o).get(net).medianMs()).toArray();
        double[] p90 = outs.stream().mapToDouble(o -> which.apply(o).get(net).p90Ms()).toArray();
        int runs = outs.stream().mapToInt(o -> which.apply(o).get(net).runs()).sum();
        return new Latency.Stats(which.apply(outs.get(0)).get(net).batch(), Latency.median(med), Latency.median(p90),
                runs);
    }

    private static ForkOutput runFork(int f, LatencyEngine engine, List<Path> files, LatencySettings s,
            Path workDir) {
        Path result = workDir.resolve("fork-" + f + ".json");
        Path log = workDir.resolve("fork-" + f + ".log");
        List<String> cmd = new ArrayList<>(javaCommand());
        cmd.add(ForkedLatency.class.getName());
        cmd.addAll(List.of(engine.id(), result.toString(), Integer.toString(s.batch()), Integer.toString(s.warmup()),
                Integer.toString(s.runs()), Integer.toString(s.throughputBatch()), Integer.toString(s.throughputRuns()),
                Integer.toString(s.gapMs()), Integer.toString(s.threads())));
        files.forEach(sf -> cmd.add(sf.toString()));
        String what = "latency fork " + f + "/" + s.forks();
        try {
            Files.createDirectories(workDir);
            Files.deleteIfExists(result);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("OPT_OUT_TRACKING", "true");
            Process p = pb.start();
            while (!p.waitFor(200, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                if (StopRequest.requested()) {
                    // the fork stops at its own next safe point (its hook), then this one
                    p.destroy();
                    p.waitFor(StopRequest.WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
                    StopRequest.check(what);
                }
            }
            int code = p.exitValue();
            if (code != 0 || !Files.exists(result)) {
                throw new CompressionException(what + " failed (exit " + code + "): " + lastLine(log));
            }
            return new Gson().fromJson(Files.readString(result), ForkOutput.class);
        } catch (IOException e) {
            throw new CompressionException(what + ": cannot start or read it: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompressionException(what + ": interrupted", e);
        }
    }

    private static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.isBlank()).toList();
            return lines.isEmpty() ? "no output" : lines.get(lines.size() - 1).trim();
        } catch (IOException e) {
            return "no output";
        }
    }

    /**
     * Returns the command that starts a JVM like this one: its {@code java}, its options without
     * debug agents, offline DJL, and its class path.
     *
     * @return the command's words, up to the main class
     */
    static List<String> javaCommand() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib:jdwp") && !a.startsWith("-Xrunjdwp") && !a.startsWith("-javaagent")) {
                cmd.add(a);
            }
        }
        cmd.add("-Dai.djl.offline=true");
        cmd.add("-DOPT_OUT_TRACKING=true");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        return cmd;
    }

    /**
     * A fork's entry point: {@code ENGINE RESULT BATCH WARMUP RUNS THROUGHPUT_BATCH THROUGHPUT_RUNS
     * GAP_MS THREADS FILE...}. Writes the result file (atomically) and exits 0, or prints one line
     * and exits 1.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        // its parent stops it with SIGTERM when the run is stopped: at a safe point, as waec itself
        StopRequest.exit(StopRequest.guarded(() -> fork(args)));
    }

    private static int fork(String[] args) {
        try {
            System.setProperty("ai.djl.offline", "true");
            LatencyEngine engine = LatencyEngine.of(args[0]);
            Path result = Path.of(args[1]);
            int[] n = new int[7];
            for (int i = 0; i < n.length; i++) {
                n[i] = Integer.parseInt(args[2 + i]);
            }
            List<Timed> nets = new ArrayList<>();
            try {
                for (int i = 9; i < args.length; i++) {
                    nets.add(engine.open(Path.of(args[i]), n[6]));
                }
                long t0 = System.nanoTime();
                List<Latency.Stats> lat = Latency.alternate(nets, n[0], n[1], n[2], n[5], ProgressListener.NONE);
                List<Latency.Stats> thr = Latency.alternate(nets, n[3], 1, n[4], n[5], ProgressListener.NONE);
                double seconds = (System.nanoTime() - t0) / 1e9;
                AtomicFiles.writeString(result, new Gson().toJson(new ForkOutput(lat, thr, seconds)));
            } finally {
                nets.forEach(Timed::close);
            }
            return 0;
        } catch (Throwable e) {
            System.err.println("latency fork: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        }
    }
}

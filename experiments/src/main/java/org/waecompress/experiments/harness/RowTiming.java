package org.waecompress.experiments.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.waecompress.experiments.config.ExperimentSettings;
import org.waecompress.experiments.measure.ForkedLatency;
import org.waecompress.experiments.measure.Latency;
import org.waecompress.spi.CompressionException;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.train.ProgressListener;

/**
 * Times a row: the backbone alone, or a compressed network alternately with the backbone. With
 * {@code latency.forks} = 0 the timing runs in this process; otherwise both networks are saved to a
 * scratch folder in the run folder (the backbone once per run) and timed in that many fresh JVMs
 * ({@link ForkedLatency}). Closing removes the scratch folder.
 */
final class RowTiming implements AutoCloseable {

    /**
     * One row's timing.
     *
     * @param latency the row's network at the latency batch
     * @param baseline the backbone in the same measurement
     * @param throughput the row's network at the throughput batch
     * @param speedup the backbone's median over the network's (the median of the forks' own ratios
     *     when forked)
     * @param forkSpeedups each fork's ratio, or null when timed in process
     */
    record Timing(Latency.Stats latency, Latency.Stats baseline, Latency.Stats throughput, double speedup,
            List<Double> forkSpeedups) {}

    private final ExperimentSettings s;
    private final Path runDir;
    private final ProgressListener log;
    private Path scratch;
    private Path baseSpec;

    RowTiming(ExperimentSettings s, Path runDir, ProgressListener log) {
        this.s = s;
        this.runDir = runDir;
        this.log = log;
    }

    private int throughputRuns() {
        return Math.max(3, s.latencyRuns() / 3);
    }

    /**
     * Times the backbone alone.
     *
     * @param base the backbone
     * @param baseBuilt its built form
     * @return the timing, with speed-up 1
     */
    Timing backbone(Network base, BuiltNetwork baseBuilt) {
        if (s.latencyForks() == 0) {
            List<Latency.Stats> lat = Latency.alternate(List.of(baseBuilt), s.latencyBatch(), s.latencyWarmup(),
                    s.latencyRuns(), log);
            List<Latency.Stats> thr = Latency.alternate(List.of(baseBuilt), s.throughputBatch(), 1, throughputRuns(),
                    log);
            return new Timing(lat.get(0), lat.get(0), thr.get(0), 1.0, null);
        }
        ForkedLatency.Result r = forked(List.of(baseSpec(base)));
        return new Timing(r.latency().get(0), r.latency().get(0), r.throughput().get(0), 1.0, null);
    }

    /**
     * Times a network alternately with the backbone.
     *
     * @param base the backbone
     * @param baseBuilt its built form
     * @param net the row's network
     * @param built its built form
     * @return the timing
     */
    Timing pair(Network base, BuiltNetwork baseBuilt, Network net, BuiltNetwork built) {
        if (s.latencyForks() == 0) {
            List<Latency.Stats> lat = Latency.alternate(List.of(baseBuilt, built), s.latencyBatch(),
                    s.latencyWarmup(), s.latencyRuns(), log);
            List<Latency.Stats> thr = Latency.alternate(List.of(baseBuilt, built), s.throughputBatch(), 1,
                    throughputRuns(), log);
            return new Timing(lat.get(1), lat.get(0), thr.get(1), lat.get(0).medianMs() / lat.get(1).medianMs(),
                    null);
        }
        Path spec = net.save(scratch(), "row");
        ForkedLatency.Result r = forked(List.of(baseSpec(base), spec));
        return new Timing(r.latency().get(1), r.latency().get(0), r.throughput().get(1), r.medianSpeedup(),
                r.speedups());
    }

    private ForkedLatency.Result forked(List<Path> specs) {
        return ForkedLatency.measure(specs, s.latencyForks(), s.latencyBatch(), s.latencyWarmup(), s.latencyRuns(),
                s.throughputBatch(), throughputRuns(), scratch(), log);
    }

    private Path baseSpec(Network base) {
        if (baseSpec == null) {
            baseSpec = base.save(scratch(), "backbone");
        }
        return baseSpec;
    }

    private Path scratch() {
        if (scratch == null) {
            try {
                scratch = Files.createTempDirectory(runDir, ".latency-");
            } catch (IOException e) {
                throw new CompressionException("cannot create a scratch folder in " + runDir + " for the latency "
                        + "forks: " + e.getMessage(), e);
            }
        }
        return scratch;
    }

    @Override
    public void close() {
        if (scratch == null) {
            return;
        }
        try {
            ExperimentRunner.deleteTree(scratch);
        } catch (IOException e) {
            log.message("warning: could not remove the latency scratch folder " + scratch + ": " + e.getMessage());
        }
    }
}

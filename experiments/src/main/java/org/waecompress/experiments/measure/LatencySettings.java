package org.waecompress.experiments.measure;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How latency is measured: engines, batch sizes, run counts, fresh JVMs, threads and the duty cycle.
 *
 * @param engines the engines, in table order (the first is the table's primary figure)
 * @param warmup untimed rounds before timing
 * @param runs timed rounds (median and p90 are reported)
 * @param batch the latency batch
 * @param throughputBatch the throughput batch
 * @param forks fresh JVMs that each repeat the measurement (0: in this process)
 * @param gapMs idle milliseconds before each timed run (0: back to back)
 * @param threads ONNX Runtime's intra-op threads (the PyTorch engine's are fixed when it starts)
 */
public record LatencySettings(List<LatencyEngine> engines, int warmup, int runs, int batch, int throughputBatch,
        int forks, int gapMs, int threads) {

    /** Copies the engine list. */
    public LatencySettings {
        engines = List.copyOf(engines);
    }

    /**
     * Returns the timed rounds at the throughput batch.
     *
     * @return a third of the latency runs, at least 3
     */
    public int throughputRuns() {
        return Math.max(3, runs / 3);
    }

    /**
     * Describes the duty cycle.
     *
     * @return "back to back" or the idle time before each run
     */
    public String regime() {
        return gapMs == 0 ? "back to back (no idle time between runs)"
                : String.format(Locale.ROOT, "%d ms idle before each timed run", gapMs);
    }

    /**
     * Describes the engines with their versions and options.
     *
     * @return one phrase per engine, joined
     */
    public String describeEngines() {
        return engines.stream().map(e -> e.describe(e == LatencyEngine.ONNXRUNTIME ? threads : Latency.threads()))
                .collect(Collectors.joining("; "));
    }
}

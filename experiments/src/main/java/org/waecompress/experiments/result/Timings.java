package org.waecompress.experiments.result;

import java.util.List;

/**
 * A row's measured speed: one timing per engine the run measured.
 *
 * @param latencyBatch the batch size of the latency figures
 * @param throughputBatch the batch size of the throughput figures
 * @param engines the timing on each engine, in the order of {@code latency.engine} (the first is the table's
 *     primary figure); empty for a failed row
 */
public record Timings(int latencyBatch, int throughputBatch, List<EngineTiming> engines) {

    /**
     * Returns the primary timing (the first engine's).
     *
     * @return the timing
     */
    public EngineTiming primary() {
        return engines.get(0);
    }

    /**
     * Returns the timing standing for an engine, if the run measured it.
     *
     * @param engine the engine id
     * @return the timing, or null
     */
    public EngineTiming of(String engine) {
        return engines.stream().filter(t -> t.engine().equals(engine)).findFirst().orElse(null);
    }
}

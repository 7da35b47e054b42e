package org.waecompress.experiments.result;

import java.util.List;

/**
 * A row's latency on one engine, measured alternately with the backbone.
 *
 * @param engine the engine this timing stands for ({@code onnxruntime} or {@code pytorch}): the
 *     column it fills
 * @param medianMs the network's median milliseconds at the row's latency batch
 * @param p90Ms its 90th percentile
 * @param baselineMs the backbone's median in the same alternating measurement
 * @param speedup the backbone's median over the network's (the median of the forks' own ratios when
 *     timed in fresh JVMs)
 * @param throughput images per second at the row's throughput batch (at the median)
 * @param forkSpeedups each fresh JVM's own speed-up, or null when timed in process
 * @param fallback null when the network ran on {@code engine}; otherwise why it could not, and the
 *     numbers are the PyTorch engine's (a node type without an ONNX lowering)
 */
public record EngineTiming(String engine, double medianMs, double p90Ms, double baselineMs, double speedup,
        double throughput, List<Double> forkSpeedups, String fallback) {

    /**
     * Returns a copy that stands for another engine's column, with the reason this network did not
     * run there.
     *
     * @param column the engine whose column it fills
     * @param why why it ran on this timing's engine instead
     * @return the copy
     */
    public EngineTiming standingFor(String column, String why) {
        return new EngineTiming(column, medianMs, p90Ms, baselineMs, speedup, throughput, forkSpeedups, why);
    }
}

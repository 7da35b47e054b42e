package org.waecompress.experiments.harness;

import java.util.List;
import java.util.Map;

/**
 * One finished row of a comparison table: a backbone or a strategy applied to it, with everything
 * measured for it in the run. Null numbers were not measured (accuracy off, or no reference).
 *
 * @param row the row's id ({@code backbone} or the strategy id)
 * @param label the method's label in tables
 * @param network the network's name
 * @param strategy the strategy id, or null for the backbone
 * @param top1Error top-1 error in [0, 1], or null
 * @param top5Error top-5 error in [0, 1], or null
 * @param testImages images the errors were measured on
 * @param macs multiply-accumulates per image
 * @param params trainable parameters
 * @param latencyMs median milliseconds at {@code latencyBatch}
 * @param latencyP90Ms 90th percentile
 * @param baselineLatencyMs the backbone's median in the same alternating measurement
 * @param speedup baseline median / this median
 * @param macSpeedup backbone MACs / these MACs
 * @param latencyBatch the batch size of the latency figures
 * @param throughput images per second at {@code throughputBatch} (median)
 * @param throughputBatch the batch size of the throughput figure
 * @param trainSeconds wall time spent training or compressing
 * @param paperTop5Error the paper's reported top-5 error (%), or null
 * @param paperSpeedup the paper's reported CPU speed-up, or null
 * @param settings the strategy's settings as given
 * @param finishedAt when the row finished (ISO-8601)
 * @param macsByPart MACs of each top-level part of a composite network (WAE's encoder, split,
 *     branches and heads), in order; null for a plain layer stack
 * @param forkSpeedups each fresh JVM's own speed-up when the timing ran in forks
 *     ({@code latency.forks}); {@code speedup} is then their median; null when timed in process
 */
public record ResultRow(String row, String label, String network, String strategy, Double top1Error, Double top5Error,
        Integer testImages, long macs, long params, double latencyMs, double latencyP90Ms, double baselineLatencyMs,
        double speedup, double macSpeedup, int latencyBatch, double throughput, int throughputBatch,
        double trainSeconds, Double paperTop5Error, Double paperSpeedup, Map<String, String> settings,
        String finishedAt, Map<String, Long> macsByPart,
        List<Double> forkSpeedups) {}

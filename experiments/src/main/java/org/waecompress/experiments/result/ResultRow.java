package org.waecompress.experiments.result;

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
 * @param macSpeedup backbone MACs / these MACs
 * @param latencyBatch the batch size of the latency figures
 * @param throughputBatch the batch size of the throughput figures
 * @param timings the latency on each engine the run measured, in the order of {@code
 *     latency.engine} (the first is the table's primary figure)
 * @param onnx the exported file and its check, or null when the network could not be exported
 * @param trainSeconds wall time spent training or compressing
 * @param paperTop5Error the paper's reported top-5 error (%), or null
 * @param paperSpeedup the paper's reported CPU speed-up, or null
 * @param settings the strategy's settings as given
 * @param finishedAt when the row finished (ISO-8601)
 * @param macsByPart MACs of each top-level part of a composite network (WAE's encoder, split,
 *     branches and heads), in order; null for a plain layer stack
 * @param failure why the row has no measurements (its training diverged), or null for a finished row
 */
public record ResultRow(String row, String label, String network, String strategy, Double top1Error, Double top5Error,
        Integer testImages, long macs, long params, double macSpeedup, int latencyBatch, int throughputBatch,
        List<EngineTiming> timings, OnnxFileInfo onnx, double trainSeconds, Double paperTop5Error,
        Double paperSpeedup, Map<String, String> settings, String finishedAt, Map<String, Long> macsByPart,
        String failure) {

    /**
     * Creates a finished row.
     *
     * @param row the row's id
     * @param label the label
     * @param network the network's name
     * @param strategy the strategy id, or null
     * @param top1Error top-1 error, or null
     * @param top5Error top-5 error, or null
     * @param testImages test images
     * @param macs MACs
     * @param params parameters
     * @param macSpeedup MAC speed-up
     * @param latencyBatch latency batch
     * @param throughputBatch throughput batch
     * @param timings timings per engine
     * @param onnx the exported file, or null
     * @param trainSeconds training time
     * @param paperTop5Error paper top-5 error, or null
     * @param paperSpeedup paper speed-up, or null
     * @param settings settings
     * @param finishedAt finish time
     * @param macsByPart MACs by part, or null
     */
    public ResultRow(String row, String label, String network, String strategy, Double top1Error, Double top5Error,
            Integer testImages, long macs, long params, double macSpeedup, int latencyBatch, int throughputBatch,
            List<EngineTiming> timings, OnnxFileInfo onnx, double trainSeconds, Double paperTop5Error,
            Double paperSpeedup, Map<String, String> settings, String finishedAt, Map<String, Long> macsByPart) {
        this(row, label, network, strategy, top1Error, top5Error, testImages, macs, params, macSpeedup, latencyBatch,
                throughputBatch, timings, onnx, trainSeconds, paperTop5Error, paperSpeedup, settings, finishedAt,
                macsByPart, null);
    }

    /**
     * Tells whether the row failed (no measurements; {@link #failure} says why).
     *
     * @return true for a failed row
     */
    public boolean failed() {
        return failure != null;
    }

    /**
     * Returns the primary timing (the first engine's).
     *
     * @return the timing
     */
    public EngineTiming timing() {
        return timings.get(0);
    }

    /**
     * Returns the timing standing for an engine, if the run measured it.
     *
     * @param engine the engine id
     * @return the timing, or null
     */
    public EngineTiming timing(String engine) {
        return timings.stream().filter(t -> t.engine().equals(engine)).findFirst().orElse(null);
    }

    /**
     * Returns the primary measured speed-up over the backbone.
     *
     * @return the speed-up
     */
    public double speedup() {
        return timing().speedup();
    }
}

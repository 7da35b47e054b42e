package org.waecompress.experiments.result;

/**
 * One finished row of a comparison table: a backbone or a strategy applied to it, with everything measured
 * for it in the run, in parts: a new measurement is a component of one part. Parts that were not measured
 * are null: {@code errors} when accuracy is off or the row failed, {@code onnx} when the network could not be
 * exported, {@code paper} when the paper has no number for the row.
 *
 * @param id the row's id ({@code backbone} or the strategy id); unique in a run
 * @param label the method's label in tables
 * @param network the network's name
 * @param strategy the strategy id, or null for the backbone
 * @param errors the test-set errors, or null
 * @param cost MACs and parameters
 * @param timings the latency and throughput per engine
 * @param onnx the exported file and its check, or null
 * @param paper the paper's reported numbers, or null
 * @param provenance training time, settings and finish time
 * @param failure why the row has no measurements (its training diverged), or null for a finished row
 */
public record ResultRow(String id, String label, String network, String strategy, Errors errors, Cost cost,
        Timings timings, OnnxFileInfo onnx, PaperReference paper, RowProvenance provenance, String failure) {

    /**
     * Tells whether the row failed (no measurements; {@link #failure} says why).
     *
     * @return true for a failed row
     */
    public boolean failed() {
        return failure != null;
    }

    /**
     * Returns the top-1 error, or null where accuracy was not measured.
     *
     * @return the error in [0, 1], or null
     */
    public Double top1Error() {
        return errors == null ? null : errors.top1();
    }

    /**
     * Returns the top-5 error, or null where it was not measured.
     *
     * @return the error in [0, 1], or null
     */
    public Double top5Error() {
        return errors == null ? null : errors.top5();
    }

    /**
     * Returns the primary timing (the first engine's).
     *
     * @return the timing
     */
    public EngineTiming timing() {
        return timings.primary();
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

package org.waecompress.experiments.result;

import java.util.Map;

/**
 * How a row came about.
 *
 * @param trainSeconds wall time spent training or compressing
 * @param settings the strategy's settings as given
 * @param finishedAt when the row finished (ISO-8601)
 */
public record RowProvenance(double trainSeconds, Map<String, String> settings, String finishedAt) {}

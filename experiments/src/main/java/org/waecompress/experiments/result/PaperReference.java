package org.waecompress.experiments.result;

/**
 * What the WAE paper reports for a row's method (never measured here; tables label it as the paper's).
 *
 * @param top5Error the reported top-5 error (%), or null
 * @param speedup the reported CPU speed-up, or null
 */
public record PaperReference(Double top5Error, Double speedup) {}

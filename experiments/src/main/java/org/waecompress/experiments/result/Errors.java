package org.waecompress.experiments.result;

/**
 * A row's accuracy: its errors on the run's test set.
 *
 * @param top1 top-1 error in [0, 1]
 * @param top5 top-5 error in [0, 1], or null where it was not measured
 * @param testImages the images the errors were measured on
 */
public record Errors(double top1, Double top5, int testImages) {}

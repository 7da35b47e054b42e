package org.waecompress.experiments.result;

/**
 * One cell of a sensitivity table: one unit (layer or channel group) compressed alone to one ratio,
 * without fine-tuning, and measured on the held-out slice.
 *
 * @param unit the unit's path
 * @param ratio the ratio it was compressed to
 * @param top1Error the network's top-1 error in [0, 1] with that unit compressed
 * @param drop the error minus the uncompressed network's, in points (accuracy lost)
 * @param macs the network's MACs with that unit compressed
 */
public record SensitivityCell(String unit, double ratio, double top1Error, double drop, long macs) {}

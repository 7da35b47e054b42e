package org.waecompress.experiments.result;

import java.util.Map;

/**
 * A row's cost, counted from its network's spec.
 *
 * @param macs multiply-accumulates per image
 * @param params trainable parameters
 * @param macSpeedup the backbone's MACs over these
 * @param macsByPart MACs of each top-level part of a composite network (WAE's encoder, split, branches and
 *     heads), in order; null for a plain layer stack
 */
public record Cost(long macs, long params, double macSpeedup, Map<String, Long> macsByPart) {}

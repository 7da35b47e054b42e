package org.waecompress.experiments.result;

import java.util.List;
import java.util.Map;

/**
 * A row's cost, counted from its network's spec.
 *
 * @param macs multiply-accumulates per image
 * @param params trainable parameters
 * @param macSpeedup the backbone's MACs over these
 * @param macsByPart MACs of each top-level part of a composite network (WAE's encoder, split, branches and
 *     heads), in order; null for a plain layer stack
 * @param weightBytes the weights' size as deployed: 4 bytes a float parameter; an int8 layer's weights 1 byte
 *     each plus a 4-byte scale per output channel and its bias in int32 (null in files written before this field)
 * @param int8 whether the network has quantization points (runs in int8 on ONNX Runtime), or null in older files
 * @param floatNodes in an int8 network, the node types left in float with how many and where the first is
 *     ("batchNorm x2 (features.1, ...)"), or null
 */
public record Cost(long macs, long params, double macSpeedup, Map<String, Long> macsByPart, Long weightBytes,
        Boolean int8, List<String> floatNodes) {

    /**
     * A cost without size and precision (rows of older files, tests).
     *
     * @param macs MACs
     * @param params parameters
     * @param macSpeedup the backbone's MACs over these
     * @param macsByPart MACs by part, or null
     */
    public Cost(long macs, long params, double macSpeedup, Map<String, Long> macsByPart) {
        this(macs, params, macSpeedup, macsByPart, null, null, null);
    }

    /**
     * Tells whether the row's network is quantized.
     *
     * @return true for an int8 network
     */
    public boolean quantized() {
        return Boolean.TRUE.equals(int8);
    }
}

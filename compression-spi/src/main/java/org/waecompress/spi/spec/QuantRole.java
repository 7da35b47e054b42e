package org.waecompress.spi.spec;

/**
 * How a node takes part in int8 quantization ({@link LayerSpec#quantRole()}): what an int8 pass
 * quantizes around it, so that ONNX Runtime can run it on 8-bit values. Composites (sequential,
 * residual, concat) are handled by their data flow; an unknown composite's children are quantized one
 * by one.
 */
public enum QuantRole {
    /** A layer with weights (convolution, linear): int8 weights per output channel, int32 bias, uint8 input. */
    WEIGHTED,
    /**
     * A ReLU or ReLU6: the quantization after it clips at zero (and at most 6), so ONNX Runtime drops it into the
     * quantize step.
     */
    RELU,
    /** An operation that keeps values as they are (max-pool, flatten, dropout): the input's scale passes through. */
    PRESERVES,
    /** An operation that computes new values from uint8 input (average pools): its output gets a scale of its own. */
    REQUANTIZES,
    /** An operation that stays in float (the default for node types that say nothing). */
    FLOAT
}

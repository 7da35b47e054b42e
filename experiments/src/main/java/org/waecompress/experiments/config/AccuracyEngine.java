package org.waecompress.experiments.config;

/** Where top-1/top-5 error is measured ({@code accuracy.engine}). */
public enum AccuracyEngine {
    /** The PyTorch engine, on the built networks (simulated int8 for int8 rows). */
    PYTORCH,
    /** ONNX Runtime, on each row's exported file (what deploys). */
    ONNXRUNTIME,
    /** Both, side by side. */
    BOTH
}

package org.waecompress.experiments.result;

/**
 * A row's accuracy: its errors on the run's test set, measured on the engine {@code accuracy.engine}
 * names.
 *
 * @param top1 top-1 error in [0, 1]
 * @param top5 top-5 error in [0, 1], or null where it was not measured
 * @param testImages the images the errors were measured on
 * @param engine the engine {@code top1} and {@code top5} come from: {@code onnxruntime} (the row's exported
 *     file, as it deploys) or {@code pytorch} (null in files written before this field: the PyTorch engine)
 * @param pytorchTop1 with {@code accuracy.engine = both}, the PyTorch engine's top-1 error beside ONNX
 *     Runtime's (for an int8 row: its simulated int8), else null
 * @param pytorchTop5 the same for top-5, or null
 */
public record Errors(double top1, Double top5, int testImages, String engine, Double pytorchTop1,
        Double pytorchTop5) {

    /** The engine id of ONNX Runtime's figures. */
    public static final String ONNXRUNTIME = "onnxruntime";

    /**
     * Errors measured on the PyTorch engine alone.
     *
     * @param top1 top-1 error
     * @param top5 top-5 error, or null
     * @param testImages the test images
     */
    public Errors(double top1, Double top5, int testImages) {
        this(top1, top5, testImages, null, null, null);
    }

    /**
     * Tells whether the figures are ONNX Runtime's.
     *
     * @return true when measured on the exported file
     */
    public boolean deployed() {
        return ONNXRUNTIME.equals(engine);
    }
}

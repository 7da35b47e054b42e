/**
 * ONNX export and ONNX Runtime: {@link org.waecompress.experiments.onnx.OnnxExport} writes any
 * network (spec + weights) as an ONNX file, each node lowering itself through {@link
 * org.waecompress.spi.spec.LayerSpec#toOnnx}; {@link org.waecompress.experiments.onnx.OrtNetwork}
 * runs such a file in ONNX Runtime with the latency settings, and {@link
 * org.waecompress.experiments.onnx.OnnxCheck} compares its output with the PyTorch engine's.
 */
package org.waecompress.experiments.onnx;

package org.waecompress.experiments.result;

/**
 * A row's exported ONNX file and how closely it reproduces the PyTorch engine.
 *
 * @param file the file, relative to the run folder, or null when it was written to a scratch folder
 *     ({@code output.onnx = false}) and removed after timing
 * @param bytes its size
 * @param worstRelative the largest difference between ONNX Runtime's and the PyTorch engine's
 *     outputs on a random batch, relative to the largest output (at most 1e-4 to pass)
 */
public record OnnxFileInfo(String file, long bytes, double worstRelative) {}

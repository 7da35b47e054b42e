/**
 * The {@code int8} strategy: static post-training quantization (and quantization-aware training) of any
 * network into the spec's quantization node types, which ONNX Runtime runs with int8 kernels.
 */
package org.waecompress.baselines.int8;

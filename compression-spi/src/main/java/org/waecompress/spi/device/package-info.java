/**
 * Where networks train and run: the {@code device} setting ({@code auto}, {@code cpu}, {@code gpu},
 * {@code gpu:N} or {@code gpu:N,M}), resolved once per run against the GPUs the engine sees, and the managers
 * every module makes its arrays in.
 */
package org.waecompress.spi.device;

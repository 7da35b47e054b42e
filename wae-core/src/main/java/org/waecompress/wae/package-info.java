/**
 * The WAE strategy (Chen et al., AAAI 2018): encoder, decoder, fusion network, losses and the
 * three-stage training, plus the paper's own baselines (decomposition, wavelet, resize).
 */
package org.waecompress.wae;

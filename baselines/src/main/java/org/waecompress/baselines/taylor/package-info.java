/** Taylor-criterion pruning (Molchanov et al., ICLR 2017) with per-channel gates. */
package org.waecompress.baselines.taylor;

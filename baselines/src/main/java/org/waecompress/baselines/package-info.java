/** Baseline acceleration methods: low-rank decomposition (ThiNet and Taylor pruning to come). */
package org.waecompress.baselines;

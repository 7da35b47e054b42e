/** Low-rank decomposition of linear and convolution layers. */
package org.waecompress.baselines.lowrank;

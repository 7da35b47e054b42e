/** The cost model: multiply-accumulates and parameters per layer, from a spec alone. */
package org.waecompress.spi.cost;

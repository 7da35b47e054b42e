/** DJL blocks the spec language builds that DJL's PyTorch engine lacks (transposed convolution, merges). */
package org.waecompress.spi.nn;

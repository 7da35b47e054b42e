/** ThiNet: filter pruning guided by the next layer (Luo et al., ICCV 2017). */
package org.waecompress.baselines.thinet;

/** Code the baselines share: linear algebra (truncated SVD, least squares). */
package org.waecompress.baselines.common;

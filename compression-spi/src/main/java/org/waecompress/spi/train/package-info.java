/** The shared trainer: SGD with momentum, schedules, multi-output losses, top-1/top-5 evaluation, progress. */
package org.waecompress.spi.train;

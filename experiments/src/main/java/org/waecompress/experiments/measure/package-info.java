/** Latency measurement: alternating timing, medians and percentiles. */
package org.waecompress.experiments.measure;

/**
 * Per-unit sensitivity analysis ({@code waec sensitivity}): each layer or channel group of a trained
 * network compressed alone to each ratio, and the accuracy it costs; and the greedy per-unit budget
 * search that turns such a table into the {@code layerRatios} setting of a layerwise strategy.
 */
package org.waecompress.experiments.sensitivity;

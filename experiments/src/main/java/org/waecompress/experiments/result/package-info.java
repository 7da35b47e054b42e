/**
 * What a run measures, as data: one {@link org.waecompress.experiments.result.ResultRow} per table row.
 * The harness produces them, the run folder stores them, the reports render them; this package depends on
 * none of those.
 */
package org.waecompress.experiments.result;

/** The experiment runner: plans, result rows, the results store, provenance. */
package org.waecompress.experiments.harness;

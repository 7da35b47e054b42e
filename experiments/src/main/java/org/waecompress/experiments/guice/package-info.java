/** Guice wiring of the harness. */
package org.waecompress.experiments.guice;

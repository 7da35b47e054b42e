/** The {@code waec} command line. */
package org.waecompress.experiments.cli;

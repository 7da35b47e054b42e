/** Tables, progress rendering and other output for people. */
package org.waecompress.experiments.report;

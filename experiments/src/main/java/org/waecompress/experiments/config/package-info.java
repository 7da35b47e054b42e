/** Layered experiment configuration (Commons Configuration 2) and its known keys. */
package org.waecompress.experiments.config;

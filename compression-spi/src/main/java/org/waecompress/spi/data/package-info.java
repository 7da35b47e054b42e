/**
 * The data interface strategies and the trainer see: labelled images by index, batched into a
 * caller's manager; plus seeded synthetic data for tests.
 */
package org.waecompress.spi.data;

/**
 * The exceptions every layer of the SPI and its users throw ({@link
 * org.waecompress.spi.error.CompressionException} and its kinds: bad data, a bad setting, an unknown
 * strategy) and the cooperative stop request the long loops check. The bottom of the SPI's packages: it
 * depends on none of them, so none of them reaches back into the root package for an exception.
 */
package org.waecompress.spi.error;

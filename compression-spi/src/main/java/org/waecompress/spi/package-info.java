/**
 * The compression SPI: what a strategy implements ({@link org.waecompress.spi.CompressionStrategy}),
 * what it is given ({@link org.waecompress.spi.CompressionContext}) and the exception hierarchy.
 *
 * <p>Networks are data ({@link org.waecompress.spi.network.Network}: a spec plus named weights), so
 * a strategy is a function from one network to another that never edits its input.
 */
package org.waecompress.spi;

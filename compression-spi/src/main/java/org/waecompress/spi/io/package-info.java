/** File helpers: every output file is written to a temporary name and moved into place. */
package org.waecompress.spi.io;

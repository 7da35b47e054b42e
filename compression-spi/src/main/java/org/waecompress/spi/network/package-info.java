/** Networks as data (spec plus named weights), building them into DJL blocks, saving and loading. */
package org.waecompress.spi.network;

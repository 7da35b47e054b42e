package org.waecompress.spi.plugin;

import org.waecompress.spi.error.CompressionException;

/** Two installed plugins claim the same strategy id (an installation error: exit code 2). */
public class PluginClashException extends CompressionException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the id and both plugins with their jars
     */
    public PluginClashException(String message) {
        super(message);
    }
}

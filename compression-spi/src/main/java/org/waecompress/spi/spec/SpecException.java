package org.waecompress.spi.spec;

import org.waecompress.spi.error.CompressionException;

/** A network spec is inconsistent or malformed; the message names the node path. */
public class SpecException extends CompressionException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong, naming the node path
     */
    public SpecException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message what is wrong
     * @param cause the underlying exception
     */
    public SpecException(String message, Throwable cause) {
        super(message, cause);
    }
}

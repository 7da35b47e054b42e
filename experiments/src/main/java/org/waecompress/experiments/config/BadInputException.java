package org.waecompress.experiments.config;

import org.waecompress.spi.error.CompressionException;

/** A command-line argument is wrong (exit code 2). */
public class BadInputException extends CompressionException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong and what to do
     */
    public BadInputException(String message) {
        super(message);
    }
}

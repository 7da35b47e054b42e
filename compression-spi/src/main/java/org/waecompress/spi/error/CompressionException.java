package org.waecompress.spi.error;

/**
 * Root of the project's unchecked exceptions.
 *
 * <p>Every message is written for a person: it names the file, key, node path or parameter that is
 * wrong, what was expected, and what to do about it. Front ends print the message without a stack
 * trace.
 */
public class CompressionException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong, in one line
     */
    public CompressionException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and its cause.
     *
     * @param message what went wrong, in one line
     * @param cause the underlying exception
     */
    public CompressionException(String message, Throwable cause) {
        super(message, cause);
    }
}

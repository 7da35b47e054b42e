package org.waecompress.spi.error;

/** A data set file is missing, unreadable or malformed. */
public class DataException extends CompressionException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong, naming the file
     */
    public DataException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message what is wrong, naming the file
     * @param cause the underlying exception
     */
    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}

package org.waecompress.spi.error;

/**
 * A setting (configuration key or builder argument) has a value that is not allowed.
 *
 * <p>The message has the form {@code key = value: reason}, for example
 * {@code strategy.wae.lambda = -1: must be >= 0}.
 */
public class InvalidSettingException extends CompressionException {

    private static final long serialVersionUID = 1L;

    private final String key;
    private final String reason;

    /**
     * Creates the exception.
     *
     * @param key the setting's full key
     * @param value the rejected value, as given
     * @param reason what is allowed
     */
    public InvalidSettingException(String key, Object value, String reason) {
        super(key + " = " + value + ": " + reason);
        this.key = key;
        this.reason = reason;
    }

    /**
     * Returns the setting's key.
     *
     * @return the key
     */
    public String key() {
        return key;
    }

    /**
     * Returns what is allowed, as the message words it.
     *
     * @return the reason
     */
    public String reason() {
        return reason;
    }

    /**
     * Checks a condition on a setting.
     *
     * @param ok the condition that must hold
     * @param key the setting's key
     * @param value the value
     * @param reason what is allowed, used when {@code ok} is false
     * @throws InvalidSettingException if {@code ok} is false
     */
    public static void check(boolean ok, String key, Object value, String reason) {
        if (!ok) {
            throw new InvalidSettingException(key, value, reason);
        }
    }
}

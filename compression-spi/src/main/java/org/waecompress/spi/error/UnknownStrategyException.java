package org.waecompress.spi.error;

import java.util.Collection;

/** A strategy id was asked for that no installed plugin provides. */
public class UnknownStrategyException extends CompressionException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param id the id that was asked for
     * @param known the ids that are installed
     */
    public UnknownStrategyException(String id, Collection<String> known) {
        super("unknown strategy '" + id + "'; known strategies: "
                + (known.isEmpty() ? "(none installed)" : String.join(", ", known.stream().sorted().toList()))
                + ". Put the jar of a plugin that provides it on the classpath, or fix the id.");
    }
}

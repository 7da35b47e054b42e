package org.waecompress.spi;

import java.util.Map;
import org.waecompress.spi.network.Network;

/**
 * An acceleration method: a function from a trained network to a new, cheaper network.
 *
 * <p>Implementations never change their input network. Settings come from {@link
 * CompressionContext#settings()} (the {@code strategy.<id>.*} subset of the configuration) and are
 * turned into a validated settings record on entry; a bad value raises {@link
 * InvalidSettingException} naming the key. A strategy is installed by a {@link
 * org.waecompress.spi.plugin.CompressionPlugin}.
 */
public interface CompressionStrategy {

    /**
     * Returns the stable id used in configuration keys and tables ({@code wae}, {@code thinet}).
     *
     * @return the id: lower case letters, digits and dashes
     */
    String id();

    /**
     * Returns a one-line description with the method's paper.
     *
     * @return the description
     */
    String description();

    /**
     * Returns the settings this strategy reads, relative to {@code strategy.<id>.}, with their
     * default values as text.
     *
     * @return key to default value, in a stable order
     */
    Map<String, String> defaultSettings();

    /**
     * Compresses a trained network.
     *
     * @param trained the trained network (unchanged)
     * @param ctx settings, data, trainer and progress
     * @return the compressed network
     * @throws InvalidSettingException if a setting is invalid
     */
    Network compress(Network trained, CompressionContext ctx);
}

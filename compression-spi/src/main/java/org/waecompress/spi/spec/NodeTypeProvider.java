package org.waecompress.spi.spec;

import java.util.Map;

/**
 * The extension point for node types: a plugin lists its {@link LayerSpec} record classes here and
 * names this class in {@code META-INF/services/org.waecompress.spi.spec.NodeTypeProvider}.
 *
 * <p>Registered types round-trip through {@link SpecJson} like the built-in ones.
 */
public interface NodeTypeProvider {

    /**
     * Returns the node classes this plugin adds, keyed by their JSON type tag (the value of {@link
     * LayerSpec#type()}).
     *
     * @return type tag to record class
     */
    Map<String, Class<? extends LayerSpec>> nodeTypes();
}

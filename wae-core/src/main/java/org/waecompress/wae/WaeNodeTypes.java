package org.waecompress.wae;

import java.util.Map;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.NodeTypeProvider;

/** Registers WAE's node types with the spec language (listed in META-INF/services). */
public final class WaeNodeTypes implements NodeTypeProvider {
    @Override
    public Map<String, Class<? extends LayerSpec>> nodeTypes() {
        return Map.of("waeClassifier", WaeClassifier.class, "waeAutoencoder", WaeAutoencoder.class,
                "dwt97", DwtNode.class, "waeDecoder", WaeDecoder.class);
    }
}

package org.waecompress.tests.opaque;

import com.google.inject.AbstractModule;
import org.waecompress.spi.plugin.CompressionPlugin;
import org.waecompress.spi.plugin.StrategyBinder;

/** Installs {@link OpaqueStrategy} under the id {@code opaque}. */
public final class OpaquePlugin extends AbstractModule implements CompressionPlugin {
    @Override
    protected void configure() {
        StrategyBinder.install(binder(), new OpaqueStrategy());
    }
}

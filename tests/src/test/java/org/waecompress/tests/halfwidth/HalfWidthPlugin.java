package org.waecompress.tests.halfwidth;

import com.google.inject.AbstractModule;
import org.waecompress.spi.plugin.CompressionPlugin;
import org.waecompress.spi.plugin.StrategyBinder;

/** Installs {@link HalfWidthStrategy} under the id {@code halfwidth}. */
public final class HalfWidthPlugin extends AbstractModule implements CompressionPlugin {
    @Override
    protected void configure() {
        StrategyBinder.strategies(binder()).addBinding("halfwidth").to(HalfWidthStrategy.class);
    }
}

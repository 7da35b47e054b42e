package org.waecompress.wae;

import com.google.inject.AbstractModule;
import org.waecompress.spi.plugin.CompressionPlugin;
import org.waecompress.spi.plugin.StrategyBinder;

/** Installs {@code wae} and the WAE paper's own baselines {@code decomposition}, {@code wavelet}, {@code resize}. */
public final class WaePlugin extends AbstractModule implements CompressionPlugin {
    @Override
    protected void configure() {
        StrategyBinder.install(binder(), new WaeStrategy(), WaeShapedBaseline.decomposition(),
                WaeShapedBaseline.wavelet(), new ResizeStrategy());
    }
}

package org.waecompress.wae;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.plugin.CompressionPlugin;
import org.waecompress.spi.plugin.StrategyBinder;

/** Installs {@code wae} and the WAE paper's own baselines {@code decomposition}, {@code wavelet}, {@code resize}. */
public final class WaePlugin extends AbstractModule implements CompressionPlugin {
    @Override
    protected void configure() {
        MapBinder<String, CompressionStrategy> b = StrategyBinder.strategies(binder());
        b.addBinding("wae").to(WaeStrategy.class);
        b.addBinding("decomposition").toInstance(WaeShapedBaseline.decomposition());
        b.addBinding("wavelet").toInstance(WaeShapedBaseline.wavelet());
        b.addBinding("resize").to(ResizeStrategy.class);
    }
}

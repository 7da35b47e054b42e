package org.waecompress.baselines;

import com.google.inject.AbstractModule;
import org.waecompress.baselines.int8.Int8Strategy;
import org.waecompress.baselines.lowrank.LowRankStrategy;
import org.waecompress.baselines.taylor.TaylorStrategy;
import org.waecompress.baselines.thinet.ThiNetStrategy;
import org.waecompress.spi.plugin.CompressionPlugin;
import org.waecompress.spi.plugin.StrategyBinder;

/** Installs the baseline strategies of this module. */
public final class BaselinesPlugin extends AbstractModule implements CompressionPlugin {
    @Override
    protected void configure() {
        StrategyBinder.install(binder(), new LowRankStrategy(), new ThiNetStrategy(), new TaylorStrategy(),
                new Int8Strategy());
        // their papers' other operating points are variants: META-INF/waec/variants.properties
    }
}

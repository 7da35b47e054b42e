package org.waecompress.baselines;

import com.google.inject.AbstractModule;
import org.waecompress.baselines.lowrank.LowRankStrategy;
import org.waecompress.spi.plugin.CompressionPlugin;
import org.waecompress.spi.plugin.StrategyBinder;

/** Installs the baseline strategies of this module. */
public final class BaselinesPlugin extends AbstractModule implements CompressionPlugin {
    @Override
    protected void configure() {
        var b = StrategyBinder.strategies(binder());
        b.addBinding("lowrank").to(LowRankStrategy.class);
        b.addBinding("thinet").to(org.waecompress.baselines.thinet.ThiNetStrategy.class);
    }
}

package org.waecompress.baselines;

import com.google.inject.AbstractModule;
import org.waecompress.baselines.lowrank.LowRankStrategy;
import org.waecompress.spi.plugin.CompressionPlugin;
import org.waecompress.spi.plugin.StrategyBinder;

/** Installs the baseline strategies of this module. */
public final class BaselinesPlugin extends AbstractModule implements CompressionPlugin {
    @Override
    protected void configure() {
        StrategyBinder.strategies(binder()).addBinding("lowrank").to(LowRankStrategy.class);
    }
}

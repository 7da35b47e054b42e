package org.waecompress.baselines;

import com.google.inject.AbstractModule;
import org.waecompress.baselines.lowrank.LowRankStrategy;
import org.waecompress.baselines.taylor.TaylorStrategy;
import org.waecompress.spi.plugin.CompressionPlugin;
import org.waecompress.spi.plugin.StrategyBinder;

/** Installs the baseline strategies of this module. */
public final class BaselinesPlugin extends AbstractModule implements CompressionPlugin {
    @Override
    protected void configure() {
        var b = StrategyBinder.strategies(binder());
        b.addBinding("lowrank").to(LowRankStrategy.class);
        b.addBinding("thinet").to(org.waecompress.baselines.thinet.ThiNetStrategy.class);
        // The paper's two operating points, by MAC reduction (docs/strategies.md).
        b.addBinding("taylor-1").toInstance(new TaylorStrategy("taylor-1", 2.5));
        b.addBinding("taylor-2").toInstance(new TaylorStrategy("taylor-2", 3.9));
    }
}

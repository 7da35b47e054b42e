package org.waecompress.baselines;

import com.google.inject.AbstractModule;
import org.waecompress.baselines.lowrank.LowRankStrategy;
import org.waecompress.baselines.taylor.TaylorStrategy;
import org.waecompress.baselines.thinet.ThiNetStrategy;
import org.waecompress.spi.plugin.CompressionPlugin;
import org.waecompress.spi.plugin.StrategyBinder;

/** Installs the baseline strategies of this module. */
public final class BaselinesPlugin extends AbstractModule implements CompressionPlugin {
    @Override
    protected void configure() {
        var b = StrategyBinder.strategies(binder());
        b.addBinding("lowrank").to(LowRankStrategy.class);
        b.addBinding("thinet").to(ThiNetStrategy.class);
        // ThiNet's GAP presets (the paper's ThiNet-GAP and ThiNet-Tiny on VGG16); ThiNet-Conv and
        // ThiNet-70/50/30 are settings of "thinet" (firstLayers, ratio).
        b.addBinding("thinet-gap").toInstance(new ThiNetStrategy("thinet-gap", 0.5, 10, true));
        b.addBinding("thinet-tiny").toInstance(new ThiNetStrategy("thinet-tiny", 0.25, 0, true));
        // The paper's two operating points, by MAC reduction (docs/strategies.md).
        b.addBinding("taylor-1").toInstance(new TaylorStrategy("taylor-1", 2.5));
        b.addBinding("taylor-2").toInstance(new TaylorStrategy("taylor-2", 3.9));
    }
}

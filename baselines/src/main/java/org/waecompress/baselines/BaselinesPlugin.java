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
        // ThiNet's presets: "thinet" is ThiNet-50 (every prunable layer at 0.5); ThiNet-Conv prunes the
        // first 10 (VGG16's conv1_1..conv4_3), ThiNet-GAP and ThiNet-Tiny add the pooled head;
        // ThiNet-70 / ThiNet-30 are the paper's ResNet ratios (inner channels of residual blocks).
        b.addBinding("thinet-conv").toInstance(new ThiNetStrategy("thinet-conv", 0.5, 10, false));
        b.addBinding("thinet-70").toInstance(new ThiNetStrategy("thinet-70", 0.7, 0, false));
        b.addBinding("thinet-30").toInstance(new ThiNetStrategy("thinet-30", 0.3, 0, false));
        b.addBinding("thinet-gap").toInstance(new ThiNetStrategy("thinet-gap", 0.5, 10, true));
        b.addBinding("thinet-tiny").toInstance(new ThiNetStrategy("thinet-tiny", 0.25, 0, true));
        // The paper's two operating points, by MAC reduction (docs/strategies.md).
        b.addBinding("taylor-1").toInstance(new TaylorStrategy("taylor-1", 2.5));
        b.addBinding("taylor-2").toInstance(new TaylorStrategy("taylor-2", 3.9));
    }
}

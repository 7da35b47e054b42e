package org.waecompress.tests.halfwidth;

import java.util.List;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.setting.Setting;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.WidthScaling;

/**
 * A third-party strategy written by following docs/adding-a-strategy.md: the backbone at a fraction
 * of its width, trained from scratch with the run's fine-tune budget. Listed in
 * {@code META-INF/services/org.waecompress.spi.CompressionStrategy}.
 */
public final class HalfWidthStrategy implements CompressionStrategy {

    static final Setting<Double> FACTOR = Setting.real("factor", 0.5, "width kept").above(0).below(1);

    @Override
    public String id() {
        return "halfwidth";
    }

    @Override
    public String description() {
        return "The backbone at half width, trained from scratch (example third-party strategy)";
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(FACTOR);
    }

    @Override
    public NetworkSpec architecture(NetworkSpec backbone, CompressionContext ctx) {
        return WidthScaling.scale(backbone, ctx.get(FACTOR)).withName(ctx.strategyId() + "-" + backbone.name());
    }

    @Override
    public Network compress(Network trained, CompressionContext ctx) {
        try (Network init = Network.random(architecture(trained.spec(), ctx), trained.classes(), ctx.seed())) {
            return ctx.trainer().train(ctx.strategyId(), init, ctx.trainData(), ctx.fineTune()).network();
        }
    }
}

package org.waecompress.tests.halfwidth;

import java.util.Map;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.InvalidSettingException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.WidthScaling;

/**
 * A third-party strategy written by following docs/adding-a-strategy.md: the backbone at a fraction
 * of its width, trained from scratch with the run's fine-tune budget.
 */
public final class HalfWidthStrategy implements CompressionStrategy {

    @Override
    public String id() {
        return "halfwidth";
    }

    @Override
    public String description() {
        return "The backbone at half width, trained from scratch (example third-party strategy)";
    }

    @Override
    public Map<String, String> defaultSettings() {
        return Map.of("factor", "0.5");
    }

    private static double factor(CompressionContext ctx) {
        double f = ctx.number("factor", 0.5);
        InvalidSettingException.check(f > 0 && f < 1, ctx.key("factor"), f, "must be in (0, 1)");
        return f;
    }

    @Override
    public NetworkSpec architecture(NetworkSpec backbone, CompressionContext ctx) {
        return WidthScaling.scale(backbone, factor(ctx)).withName("halfwidth-" + backbone.name());
    }

    @Override
    public Network compress(Network trained, CompressionContext ctx) {
        try (Network init = Network.random(architecture(trained.spec(), ctx), trained.classes(), ctx.seed())) {
            return ctx.trainer().train("halfwidth", init, ctx.trainData(), ctx.fineTune()).network();
        }
    }
}

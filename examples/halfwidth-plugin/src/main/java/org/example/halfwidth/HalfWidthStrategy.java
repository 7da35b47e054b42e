package org.example.halfwidth;

import java.util.List;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.setting.Setting;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecJson;
import org.waecompress.spi.spec.SpecRewriter;
import org.waecompress.spi.spec.WidthScaling;

/**
 * A third-party strategy written by following docs/adding-a-strategy.md: the backbone at a fraction
 * of its width, trained from scratch with the run's fine-tune budget, optionally with a learnable
 * per-channel scale (the plugin's own node type, {@link ChannelScale}) after its first convolution.
 * Listed in {@code META-INF/services/org.waecompress.spi.CompressionStrategy}.
 */
public final class HalfWidthStrategy implements CompressionStrategy {

    static final Setting<Double> FACTOR = Setting.real("factor", 0.5, "width kept").above(0).below(1);
    static final Setting<Boolean> SCALE = Setting.flag("scale", false,
            "a learnable per-channel scale after the first convolution");

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
        return List.of(FACTOR, SCALE);
    }

    @Override
    public NetworkSpec architecture(NetworkSpec backbone, CompressionContext ctx) {
        NetworkSpec narrow = WidthScaling.scale(backbone, ctx.get(FACTOR));
        return (ctx.get(SCALE) ? scaleAfterFirstConv(narrow) : narrow).withName(ctx.strategyId() + "-"
                + backbone.name());
    }

    @Override
    public Network compress(Network trained, CompressionContext ctx) {
        try (Network init = Network.random(architecture(trained.spec(), ctx), trained.classes(), ctx.seed())) {
            return ctx.trainer().train(ctx.strategyId(), init, ctx.trainData(), ctx.fineTune()).network();
        }
    }

    /**
     * Inserts a {@link ChannelScale} after the first convolution without renaming any weight: the
     * convolution's place becomes a sequence that keeps its name and holds the convolution, now
     * transparent (empty name), then the scale. {@code features.0.weight} stays {@code features.0.weight},
     * the layers after it keep their indices, and the scale's weight is {@code features.0.scale.weight}.
     */
    static NetworkSpec scaleAfterFirstConv(NetworkSpec spec) {
        boolean[] done = {false};
        return SpecRewriter.rewrite(spec, (path, leaf, in) -> {
            if (done[0] || !(leaf instanceof ConvSpec conv)) {
                return leaf;
            }
            done[0] = true;
            return SequentialSpec.of(leaf.name(), SpecJson.withName(leaf, ""), new ChannelScale("scale", conv.out()));
        });
    }
}

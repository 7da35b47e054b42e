package org.waecompress.baselines.lowrank;

import java.util.Map;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.NetworkSpec;

/**
 * Low-rank decomposition: every eligible convolution and linear layer replaced by two thinner
 * layers from its weights' truncated SVD (see {@link LowRankDecomposer}), then fine-tuned.
 * The WAE paper cites this family (Lebedev et al. 2014; Tai et al. 2015; Zhang et al. 2016) as the
 * other way of cutting a network's cost; use it when the weight matrices are close to low rank.
 */
public final class LowRankStrategy implements CompressionStrategy {

    @Override
    public String id() {
        return "lowrank";
    }

    @Override
    public String description() {
        return "Low-rank decomposition: SVD of linear layers, channel decomposition of convs (Zhang et al. 2016)";
    }

    @Override
    public Map<String, String> defaultSettings() {
        return LowRankSettings.defaults();
    }

    @Override
    public void checkSettings(CompressionContext ctx) {
        LowRankSettings.from(ctx);
        ctx.fineTuneRate(0.1);
    }

    @Override
    public NetworkSpec architecture(NetworkSpec backbone, CompressionContext ctx) {
        return LowRankDecomposer.architecture(backbone, LowRankSettings.from(ctx)).withName("lowrank-" + backbone.name());
    }

    @Override
    public Network compress(Network trained, CompressionContext ctx) {
        LowRankSettings s = LowRankSettings.from(ctx);
        Network decomposed = LowRankDecomposer.decompose(trained, s, ctx.trainData(), ctx.seed());
        if (s.fineTuneEpochs() == 0) {
            return decomposed;
        }
        try (decomposed) {
            return ctx.trainer().train("lowrank fine-tune", decomposed, ctx.trainData(),
                    ctx.fineTune().toBuilder().epochs(s.fineTuneEpochs())
                            .learningRate(ctx.fineTuneRate(0.1)).build()).network();
        }
    }
}

package org.waecompress.baselines.lowrank;

import java.util.List;
import java.util.Map;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.LayerwiseStrategy;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.setting.Setting;
import org.waecompress.spi.spec.NetworkSpec;

/**
 * Low-rank decomposition: every eligible convolution and linear layer replaced by two thinner
 * layers (see {@link LowRankDecomposer}: Zhang et al.'s channel decomposition from the layer's
 * responses by default, the weights' truncated SVD, or Tucker-2), then fine-tuned.
 * The WAE paper cites this family (Lebedev et al. 2014; Tai et al. 2015; Zhang et al. 2016) as the
 * other way of cutting a network's cost; use it when the weight matrices are close to low rank.
 */
public final class LowRankStrategy implements CompressionStrategy, LayerwiseStrategy {

    @Override
    public String id() {
        return "lowrank";
    }

    @Override
    public String description() {
        return "Low-rank decomposition: channel decomposition of convs and linear layers from their responses "
                + "(Zhang et al. 2016), or the weights' SVD (method=svd)";
    }

    @Override
    public List<Setting<?>> settings() {
        return LowRankSettings.ALL;
    }

    @Override
    public String tableNote(CompressionContext ctx) {
        LowRankSettings s = LowRankSettings.from(ctx);
        if (!s.method().equals("channel") || s.layers().equals("conv")) {
            return null;
        }
        return "linear layers factorised from the responses of max(calibrationImages, 2 x the rank kept) training "
                + "images (one response per image), the weight SVD where the training data has too few";
    }

    @Override
    public NetworkSpec architecture(NetworkSpec backbone, CompressionContext ctx) {
        LayerwiseStrategy.layerRatios(ctx, LowRankDecomposer.units(backbone));
        return LowRankDecomposer.architecture(backbone, LowRankSettings.from(ctx)).withName(ctx.strategyId() + "-"
                + backbone.name());
    }

    @Override
    public Network compress(Network trained, CompressionContext ctx) {
        LowRankSettings s = LowRankSettings.from(ctx);
        LayerwiseStrategy.layerRatios(ctx, LowRankDecomposer.units(trained.spec()));
        Network decomposed = LowRankDecomposer.decompose(trained, s, ctx.trainData(), ctx.seed(), ctx.progress());
        if (s.fineTuneEpochs() == 0) {
            return decomposed;
        }
        try (decomposed) {
            return ctx.fineTuneStep(ctx.strategyId() + " fine-tune", decomposed, s.fineTuneEpochs(), 0,
                    ctx.fineTuneRate(LowRankSettings.RATE_FACTOR));
        }
    }

    @Override
    public List<String> units(NetworkSpec spec, CompressionContext ctx) {
        return LowRankDecomposer.units(spec);
    }

    /**
     * Decomposes one layer so that it keeps the ratio of its MACs, with the configured method; a ratio
     * at which no rank saves MACs leaves the network as it is.
     */
    @Override
    public Network compressUnit(Network net, String unit, double ratio, CompressionContext ctx) {
        LowRankSettings s = LowRankSettings.from(ctx);
        LowRankSettings one = new LowRankSettings(s.targetSpeedup(), s.energy(), s.layers(), 0, s.method(), s.vbmf(),
                s.calibrationImages(), s.locations(), Map.of(unit, ratio), s.channelMultiple());
        try {
            return LowRankDecomposer.decompose(net, one, ctx.trainData(), ctx.seed(), ctx.progress());
        } catch (InvalidSettingException e) {
            return Network.of(net.spec(), net.classes(), net.weights(), "lowrank: " + unit + " unchanged at " + ratio);
        }
    }
}

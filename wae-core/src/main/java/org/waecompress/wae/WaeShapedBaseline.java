package org.waecompress.wae;

import java.util.List;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.setting.Setting;
import org.waecompress.spi.spec.NetworkSpec;

/**
 * The WAE paper's baselines that share WAE's test-time network but not its training: the split
 * feeds the backbone (I_L) and the quarter-width fusion branch (I_H), and everything is trained with
 * the classification loss only, on the same budget as the other strategies.
 *
 * <ul>
 *   <li>{@code decomposition} (baseline 2): the learned split without decoder and energy loss; its
 *   two channels end up alike, which is what the paper's comparison shows.</li>
 *   <li>{@code wavelet} (baseline 1): a fixed one-level CDF 9/7 transform; the approximation band
 *   plays I_L, the three detail bands I_H.</li>
 * </ul>
 */
public final class WaeShapedBaseline implements CompressionStrategy {

    private final String id;
    private final String description;
    private final WaeArchitecture.SplitKind split;

    /**
     * Creates a baseline.
     *
     * @param id the strategy id
     * @param description one line
     * @param split the learned or the wavelet split
     */
    public WaeShapedBaseline(String id, String description, WaeArchitecture.SplitKind split) {
        this.id = id;
        this.description = description;
        this.split = split;
    }

    /**
     * Returns the paper's decomposition baseline.
     *
     * @return the strategy
     */
    public static WaeShapedBaseline decomposition() {
        return new WaeShapedBaseline("decomposition",
                "WAE's architecture trained with the classification loss only (the WAE paper's baseline 2)",
                WaeArchitecture.SplitKind.LEARNED);
    }

    /**
     * Returns the paper's wavelet baseline.
     *
     * @return the strategy
     */
    public static WaeShapedBaseline wavelet() {
        return new WaeShapedBaseline("wavelet",
                "Fixed CDF 9/7 wavelet split + WAE's fusion network (the WAE paper's baseline 1)",
                WaeArchitecture.SplitKind.WAVELET);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public List<Setting<?>> settings() {
        return WaeSettings.SHAPED_BASELINE;
    }

    @Override
    public String tableNote(CompressionContext ctx) {
        return WaeStrategy.STAGE_RATES;
    }

    @Override
    public NetworkSpec architecture(NetworkSpec backbone, CompressionContext ctx) {
        WaeSettings s = WaeSettings.forShapedBaseline(ctx);
        NetworkSpec spec = WaeArchitecture.classifier(backbone, s.options(), split, false);
        return split == WaeArchitecture.SplitKind.LEARNED ? spec.withName(ctx.strategyId() + "-" + backbone.name())
                : spec;
    }

    @Override
    public Network compress(Network trained, CompressionContext ctx) {
        WaeSettings s = WaeSettings.forShapedBaseline(ctx);
        Network n = WaeTraining.classificationOnly(trained, architecture(trained.spec(), ctx), s, ctx.strategyId(),
                ctx);
        if (split == WaeArchitecture.SplitKind.LEARNED) {
            ChannelGrid.publish(n, ctx.trainData(), ctx.strategyId(), ctx.outputDir());
        }
        return n;
    }
}

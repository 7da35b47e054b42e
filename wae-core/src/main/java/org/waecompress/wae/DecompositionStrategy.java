package org.waecompress.wae;

import java.util.Map;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.network.Network;

/**
 * The WAE paper's "Decomposition+CNN" baseline: WAE's test-time architecture (learned
 * half-resolution split, backbone on I_L, quarter-width branch on I_H, fusion) trained with the
 * classification loss only, without decoder and energy loss. Its two channels end up alike, which
 * is what the paper's comparison shows.
 */
public final class DecompositionStrategy implements CompressionStrategy {

    @Override
    public String id() {
        return "decomposition";
    }

    @Override
    public String description() {
        return "WAE's architecture trained with the classification loss only (the WAE paper's baseline 2)";
    }

    @Override
    public Map<String, String> defaultSettings() {
        return WaeSettings.defaults();
    }

    @Override
    public org.waecompress.spi.spec.NetworkSpec architecture(org.waecompress.spi.spec.NetworkSpec backbone,
            CompressionContext ctx) {
        WaeSettings s = WaeSettings.from(ctx);
        return WaeArchitecture.classifier(backbone, s.options(), WaeArchitecture.SplitKind.LEARNED, false)
                .withName("decomposition-" + backbone.name());
    }

    @Override
    public Network compress(Network trained, CompressionContext ctx) {
        WaeSettings s = WaeSettings.from(ctx);
        Network n = WaeTraining.classificationOnly(trained, architecture(trained.spec(), ctx), s, "decomposition", ctx);
        ChannelGrid.publish(n, ctx.trainData(), id(), ctx.outputDir());
        return n;
    }
}

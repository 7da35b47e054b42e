package org.waecompress.wae;

import java.util.Map;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.network.Network;

/**
 * The WAE paper's "Wavelet+CNN" baseline: a fixed one-level CDF 9/7 wavelet transform splits the
 * image; the approximation band plays I_L, the three detail bands I_H; same fusion network and
 * classification training as the other WAE-shaped networks.
 */
public final class WaveletStrategy implements CompressionStrategy {

    @Override
    public String id() {
        return "wavelet";
    }

    @Override
    public String description() {
        return "Fixed CDF 9/7 wavelet split + WAE's fusion network (the WAE paper's baseline 1)";
    }

    @Override
    public Map<String, String> defaultSettings() {
        return WaeSettings.defaults();
    }

    @Override
    public org.waecompress.spi.spec.NetworkSpec architecture(org.waecompress.spi.spec.NetworkSpec backbone,
            CompressionContext ctx) {
        WaeSettings s = WaeSettings.from(ctx);
        return WaeArchitecture.classifier(backbone, s.options(), WaeArchitecture.SplitKind.WAVELET, false);
    }

    @Override
    public Network compress(Network trained, CompressionContext ctx) {
        WaeSettings s = WaeSettings.from(ctx);
        return WaeTraining.classificationOnly(trained, architecture(trained.spec(), ctx), s, "wavelet", ctx);
    }
}

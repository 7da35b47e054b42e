package org.waecompress.wae;

import java.util.List;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.setting.Setting;

/**
 * WAE: Learning a Wavelet-like Auto-Encoder to Accelerate Deep Neural Networks (Chen, Lin, Zuo,
 * Luo, Zhang; AAAI 2018; https://arxiv.org/abs/1712.07493).
 *
 * <p>A learned encoder splits the image into two half-resolution sub-images: I_L, fed to the
 * unchanged backbone, and I_H, kept small by an energy loss and fed to a quarter-width copy fused
 * with it; a decoder reconstructs the image during training only. With VGG16 at 224x224 the
 * network costs 4.38 G MACs (4.12 G without the encoder) against VGG16's 15.47 G. Use it when
 * input resolution, not width, is what a backbone can give up. The setting {@code highBranch=false}
 * is the paper's I_L-only ablation.
 */
public final class WaeStrategy implements CompressionStrategy {

    @Override
    public String id() {
        return "wae";
    }

    @Override
    public String description() {
        return "Wavelet-like auto-encoder: learned half-resolution split + quarter-width fusion "
                + "(Chen et al., AAAI 2018)";
    }

    @Override
    public List<Setting<?>> settings() {
        return WaeSettings.WAE;
    }

    /** The WAE family's table note: its stages have rates of their own. */
    static final String STAGE_RATES = "trains at its stage rates (strategy.ID.stage{2,3}.learningRate, the run's "
            + "rate by default)";

    @Override
    public String tableNote(CompressionContext ctx) {
        return STAGE_RATES + "; the WAE paper's MACs leave the encoder out (4.11 G for WAE-VGG16 without its 0.26 G "
                + "encoder): subtract the encoder part of the MACs-by-part note to compare";
    }

    @Override
    public void checkSettings(CompressionContext ctx) {
        WaeSettings.from(ctx);
    }

    @Override
    public org.waecompress.spi.spec.NetworkSpec architecture(org.waecompress.spi.spec.NetworkSpec backbone,
            CompressionContext ctx) {
        WaeSettings s = WaeSettings.from(ctx);
        return WaeArchitecture.classifier(backbone, s.options(), WaeArchitecture.SplitKind.LEARNED, false);
    }

    @Override
    public Network compress(Network trained, CompressionContext ctx) {
        WaeSettings s = WaeSettings.from(ctx);
        if (!s.options().highBranch()) {
            // Table 3's ablation: WAE's own encoder (stage 1 with the energy loss), then I_L alone classified
            return WaeTraining.ilOnly(trained, s, ctx);
        }
        return WaeTraining.wae(trained, s, ctx);
    }
}

package org.waecompress.baselines.thinet;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.waecompress.baselines.common.ChannelSurgery;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.InvalidSettingException;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.Layers;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SpecRewriter;

/**
 * ThiNet (Luo, Wu, Lin; ICCV 2017; https://arxiv.org/abs/1707.06342): filter pruning guided by the
 * next layer. Layer by layer, sample the next layer's input contributions on calibration images,
 * greedily remove the channels whose summed contribution has the smallest squared norm, rescale the
 * kept channels of the next layer by least squares, fine-tune briefly; fine-tune longer at the end.
 * In residual networks only the inner channels of blocks are pruned.
 */
public final class ThiNetStrategy implements CompressionStrategy {

    @Override
    public String id() {
        return "thinet";
    }

    @Override
    public String description() {
        return "ThiNet filter pruning guided by the next layer's reconstruction (Luo et al., ICCV 2017)";
    }

    @Override
    public Map<String, String> defaultSettings() {
        return ThiNetSettings.defaults();
    }

    static List<String> layers(NetworkSpec spec, ThiNetSettings s, String key) {
        List<String> p = ChannelSurgery.prunable(spec);
        if (p.isEmpty()) {
            throw new InvalidSettingException("backbone", spec.name(), "has no prunable layer for thinet "
                    + "(every convolution's channels are coupled to a residual addition or the output)");
        }
        return s.firstLayers() > 0 ? p.subList(0, Math.min(s.firstLayers(), p.size())) : p;
    }

    static int keep(int channels, double ratio) {
        return Math.max(1, (int) Math.round(channels * ratio));
    }

    @Override
    public NetworkSpec architecture(NetworkSpec backbone, CompressionContext ctx) {
        ThiNetSettings s = ThiNetSettings.from(ctx);
        List<String> layers = layers(backbone, s, ctx.key("firstLayers"));
        return SpecRewriter.rewrite(backbone, (p, leaf, in) -> layers.contains(p) && leaf instanceof Layers.Conv c
                ? c.withOut(keep(c.out(), s.ratio())) : leaf).withName("thinet-" + backbone.name());
    }

    @Override
    public Network compress(Network trained, CompressionContext ctx) {
        ThiNetSettings s = ThiNetSettings.from(ctx);
        List<String> layers = layers(trained.spec(), s, ctx.key("firstLayers"));
        ImageDataset calib = ThiNetPruner.calibration(ctx.trainData(), s.imagesPerClass());
        Network net = Network.of(trained.spec(), trained.classes(), trained.weights(), "thinet start");
        for (int i = 0; i < layers.size(); i++) {
            String p = layers.get(i);
            int c = ((Layers.Conv) net.spec().node(p)).out();
            Network pruned = ThiNetPruner.prune(net, p, keep(c, s.ratio()), calib, s.locations(), ctx.seed() + i);
            net.close();
            net = pruned;
            ctx.progress().message(String.format(Locale.ROOT, "thinet: %s %d -> %d channels (%d/%d)", p, c,
                    keep(c, s.ratio()), i + 1, layers.size()));
            if (s.layerFineTuneSteps() > 0) {
                Network tuned = ctx.trainer().train("thinet fine-tune after " + p, net, ctx.trainData(),
                        ctx.fineTune().toBuilder().epochs(1).maxBatchesPerEpoch(s.layerFineTuneSteps())
                                .learningRate(ctx.fineTune().learningRate() / 10).build()).network();
                net.close();
                net = tuned;
            }
        }
        if (s.fineTuneEpochs() > 0) {
            Network tuned = ctx.trainer().train("thinet final fine-tune", net, ctx.trainData(),
                    ctx.fineTune().toBuilder().epochs(s.fineTuneEpochs()).learningRate(ctx.fineTune().learningRate() / 10)
                            .build()).network();
            net.close();
            net = tuned;
        }
        try (Network last = net) {
            return Network.of(last.spec().withName("thinet-" + trained.spec().name()), last.classes(), last.weights(),
                    "thinet");
        }
    }
}

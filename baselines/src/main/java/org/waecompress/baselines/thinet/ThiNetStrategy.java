package org.waecompress.baselines.thinet;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Map;
import org.waecompress.baselines.common.ChannelSurgery;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.InvalidSettingException;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.Layers;
import org.waecompress.spi.train.NetworkTrainer;
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

    private final String id;
    private final double ratio;
    private final int firstLayers;
    private final boolean gapHead;

    /** Creates the plain {@code thinet} strategy (ratio 0.5 on every prunable layer). */
    public ThiNetStrategy() {
        this("thinet", 0.5, 0, false);
    }

    /**
     * Creates a ThiNet preset.
     *
     * @param id the strategy id
     * @param ratio the default fraction of channels kept
     * @param firstLayers the default number of layers pruned (0 = all prunable)
     * @param gapHead whether the classifier is replaced by global average pooling and one linear layer
     *     (ThiNet-GAP, ThiNet-Tiny)
     */
    public ThiNetStrategy(String id, double ratio, int firstLayers, boolean gapHead) {
        this.id = id;
        this.ratio = ratio;
        this.firstLayers = firstLayers;
        this.gapHead = gapHead;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String description() {
        return String.format(Locale.ROOT, "ThiNet filter pruning guided by the next layer (Luo et al., ICCV 2017): "
                + "keep %.0f%% of the channels of %s%s", 100 * ratio,
                firstLayers == 0 ? "every prunable layer" : "the first " + firstLayers + " prunable layers",
                gapHead ? ", classifier replaced by global pooling + one linear layer" : "");
    }

    @Override
    public Map<String, String> defaultSettings() {
        Map<String, String> m = ThiNetSettings.defaults();
        m.put("ratio", Double.toString(ratio));
        m.put("firstLayers", firstLayers + (firstLayers == 0 ? " (all prunable layers)" : ""));
        if (gapHead) {
            m.put(CompressionContext.FINE_TUNE_RATE_FACTOR, "0.1 (the per-layer fine-tunes; the final fine-tune "
                    + "of the new GAP head runs at the run's rate, 1x)");
        }
        return m;
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
    public void checkSettings(CompressionContext ctx) {
        ThiNetSettings.from(ctx, ratio, firstLayers);
        ctx.fineTuneRate(0.1);
    }

    @Override
    public NetworkSpec architecture(NetworkSpec backbone, CompressionContext ctx) {
        ThiNetSettings s = ThiNetSettings.from(ctx, ratio, firstLayers);
        List<String> layers = layers(backbone, s, ctx.key("firstLayers"));
        NetworkSpec pruned = SpecRewriter.rewrite(backbone, (p, leaf, in) -> layers.contains(p) && leaf instanceof Layers.Conv c
                ? c.withOut(keep(c.out(), s.ratio())) : leaf);
        return (gapHead ? GapHead.replace(pruned) : pruned).withName(id + "-" + backbone.name());
    }

    @Override
    public Network compress(Network trained, CompressionContext ctx) {
        ThiNetSettings s = ThiNetSettings.from(ctx, ratio, firstLayers);
        List<String> layers = layers(trained.spec(), s, ctx.key("firstLayers"));
        ImageDataset calib = ThiNetPruner.calibration(ctx.trainData(), s.imagesPerClass(), ctx.seed());
        // a resumed row continues after the last layer its checkpoints saved (the selection's seed is per layer)
        Optional<NetworkTrainer.Stage> saved = ctx.trainer().savedStage(id, trained);
        Network net = saved.isPresent() ? saved.get().network()
                : Network.of(trained.spec(), trained.classes(), trained.weights(), "thinet start");
        try {
            for (int i = saved.map(st -> st.index() + 1).orElse(0); i < layers.size(); i++) {
                String p = layers.get(i);
                int c = ((Layers.Conv) net.spec().node(p)).out();
                Network pruned = ThiNetPruner.prune(net, p, keep(c, s.ratio()), calib, s.locations(), ctx.seed() + i);
                net.close();
                net = pruned;
                ctx.progress().message(String.format(Locale.ROOT, id + ": %s %d -> %d channels (%d/%d)", p, c,
                        keep(c, s.ratio()), i + 1, layers.size()));
                if (s.layerFineTuneSteps() > 0) {
                    Network tuned = ctx.trainer().train(id + " fine-tune after " + p, net, ctx.trainData(),
                            ctx.fineTune().toBuilder().epochs(1).maxBatchesPerEpoch(s.layerFineTuneSteps())
                                    .learningRate(ctx.fineTuneRate(0.1)).build()).network();
                    net.close();
                    net = tuned;
                }
                ctx.trainer().saveStage(id, trained, i, net);
            }
            if (gapHead) {
                Network gap = GapHead.replace(net, ctx.seed());
                net.close();
                net = gap;
            }
            if (s.fineTuneEpochs() > 0 || gapHead) {
                Network tuned = ctx.trainer().train(id + " final fine-tune", net, ctx.trainData(),
                        ctx.fineTune().toBuilder().epochs(Math.max(1, s.fineTuneEpochs()))
                                .learningRate(gapHead ? ctx.fineTune().learningRate() : ctx.fineTuneRate(0.1)).build())
                                .network();
                net.close();
                net = tuned;
            }
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
        try (Network last = net) {
            return Network.of(last.spec().withName(id + "-" + trained.spec().name()), last.classes(), last.weights(),
                    id);
        }
    }
}

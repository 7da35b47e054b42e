package org.waecompress.baselines.thinet;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.LayerwiseStrategy;
import org.waecompress.spi.StagedPruning;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.setting.Setting;
import org.waecompress.spi.spec.ChannelMultiple;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SpecRewriter;
import org.waecompress.spi.surgery.ChannelSurgery;

/**
 * ThiNet (Luo, Wu, Lin; ICCV 2017; https://arxiv.org/abs/1707.06342): filter pruning guided by the
 * next layer. Layer by layer, sample the next layer's input contributions on calibration images,
 * greedily remove the channels whose summed contribution has the smallest squared norm, rescale the
 * kept channels of the next layer by least squares, fine-tune briefly; fine-tune longer at the end.
 * In residual networks only the inner channels of blocks are pruned.
 */
public final class ThiNetStrategy implements CompressionStrategy, LayerwiseStrategy {

    @Override
    public String id() {
        return "thinet";
    }

    @Override
    public String description() {
        return "ThiNet filter pruning guided by the next layer (Luo et al., ICCV 2017): keep 50% of the channels "
                + "of every prunable layer";
    }

    @Override
    public List<Setting<?>> settings() {
        return ThiNetSettings.ALL;
    }

    @Override
    public String tableNote(CompressionContext ctx) {
        return ThiNetSettings.from(ctx).gapHead() ? "its new head's final fine-tune at the run's rate (1x)" : null;
    }

    static List<String> layers(NetworkSpec spec, ThiNetSettings s, String key) {
        List<String> p = ChannelSurgery.prunable(spec);
        if (p.isEmpty()) {
            throw new InvalidSettingException("backbone", spec.name(), "has no prunable layer for thinet "
                    + "(every convolution's channels are coupled to a residual addition or the output)");
        }
        return s.firstLayers() > 0 ? p.subList(0, Math.min(s.firstLayers(), p.size())) : p;
    }

    /**
     * The settings with the channel multiple resolved for this network ({@code auto}: the runtime's block,
     * narrower than the widest selected layer; a number checked).
     */
    static ThiNetSettings resolved(NetworkSpec spec, ThiNetSettings s, CompressionContext ctx) {
        int widest = layers(spec, s, ctx.key(ThiNetSettings.FIRST_LAYERS.name())).stream()
                .mapToInt(p -> ((ConvSpec) spec.node(p)).out()).max().orElse(0);
        return s.withChannelMultiple(ChannelMultiple.resolve(s.channelMultiple(), widest,
                ChannelMultiple.runtimeBlock(), ctx.key(ChannelMultiple.NAME), spec.name()));
    }

    /** The channels a layer keeps at a ratio, rounded to the channel multiple. */
    static int keep(int channels, double ratio, int multiple) {
        return ChannelMultiple.round(channels * ratio, channels, multiple);
    }

    /**
     * The layers to prune, in network order, each with its ratio: the {@code layerRatios} setting's
     * (layers at ratio 1 left out) when it is set, else the uniform ratio over the selected layers.
     */
    static Map<String, Double> plan(NetworkSpec spec, ThiNetSettings s, CompressionContext ctx) {
        List<String> selected = layers(spec, s, ctx.key(ThiNetSettings.FIRST_LAYERS.name()));
        List<String> prunable = ChannelSurgery.prunable(spec);
        Map<String, Double> given = LayerwiseStrategy.layerRatios(ctx, prunable);
        Map<String, Double> out = new LinkedHashMap<>();
        if (given.isEmpty()) {
            selected.forEach(p -> out.put(p, s.ratio()));
        } else {
            prunable.stream().filter(p -> given.containsKey(p) && given.get(p) < 1).forEach(p -> out.put(p,
                    given.get(p)));
        }
        return out;
    }

    @Override
    public List<String> units(NetworkSpec spec, CompressionContext ctx) {
        return ChannelSurgery.prunable(spec);
    }

    @Override
    public Network compressUnit(Network net, String unit, double ratio, CompressionContext ctx) {
        ThiNetSettings s = resolved(net.spec(), ThiNetSettings.from(ctx), ctx);
        int c = ((ConvSpec) net.spec().node(unit)).out();
        ImageDataset calib = ThiNetPruner.calibration(ctx.trainData(), s.imagesPerClass(), ctx.seed());
        return ThiNetPruner.prune(net, unit, keep(c, ratio, s.channelMultiple()), calib, s.locations(), ctx.seed());
    }

    @Override
    public NetworkSpec architecture(NetworkSpec backbone, CompressionContext ctx) {
        ThiNetSettings s = resolved(backbone, ThiNetSettings.from(ctx), ctx);
        Map<String, Double> plan = plan(backbone, s, ctx);
        NetworkSpec pruned = SpecRewriter.rewrite(backbone, (p, leaf, in) -> plan.containsKey(p)
                && leaf instanceof ConvSpec c
                ? c.withOut(keep(c.out(), plan.get(p), s.channelMultiple())) : leaf);
        return (s.gapHead() ? GapHead.replace(pruned) : pruned).withName(ctx.strategyId() + "-" + backbone.name());
    }

    @Override
    public Network compress(Network trained, CompressionContext ctx) {
        ThiNetSettings s = resolved(trained.spec(), ThiNetSettings.from(ctx), ctx);
        Map<String, Double> plan = plan(trained.spec(), s, ctx);
        List<String> layers = List.copyOf(plan.keySet());
        String id = ctx.strategyId();
        ImageDataset calib = ThiNetPruner.calibration(ctx.trainData(), s.imagesPerClass(), ctx.seed());
        // a resumed row continues after the last layer its checkpoints saved (the selection's seed is per layer)
        try (StagedPruning loop = StagedPruning.start(trained, ctx)) {
            for (int i = loop.next(); i < layers.size(); i++) {
                String p = layers.get(i);
                int c = ((ConvSpec) loop.network().spec().node(p)).out();
                int kept = keep(c, plan.get(p), s.channelMultiple());
                loop.replace(ThiNetPruner.prune(loop.network(), p, kept, calib, s.locations(), ctx.seed() + i));
                ctx.progress().message(String.format(Locale.ROOT, id + ": %s %d -> %d channels (%d/%d)", p, c,
                        kept, i + 1, layers.size()));
                loop.fineTune("fine-tune after " + p, s.layerFineTuneSteps(), s.fineTuneRate());
                loop.saved(i);
            }
            if (s.gapHead()) {
                loop.replace(GapHead.replace(loop.network(), ctx.seed()));
            }
            boolean finalTune = s.fineTuneEpochs() > 0 || s.gapHead();
            return loop.finish(finalTune ? Math.max(1, s.fineTuneEpochs()) : 0,
                    s.gapHead() ? ctx.fineTune().learningRate() : s.fineTuneRate());
        }
    }
}

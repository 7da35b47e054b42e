package org.waecompress.baselines.thinet;

import java.util.List;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.LayerwiseStrategy;
import org.waecompress.spi.setting.Setting;
import org.waecompress.spi.spec.ChannelMultiple;

/**
 * Settings of {@code thinet} ({@code strategy.thinet.*}) and of its variants.
 *
 * @param ratio the fraction of channels each pruned layer keeps (ThiNet-70/50/30 keep 0.7/0.5/0.3)
 * @param firstLayers prune only the first N prunable layers (0 = all; ThiNet-Conv on VGG16: 10)
 * @param gapHead whether the classifier is replaced by global average pooling and one linear layer
 *     (ThiNet-GAP, ThiNet-Tiny)
 * @param imagesPerClass calibration images per class (the paper: 10)
 * @param locations sampled output locations per image (the paper: 10)
 * @param layerFineTuneSteps training steps after each pruned layer (0 = none)
 * @param fineTuneEpochs epochs of fine-tuning at the end
 * @param fineTuneRate the rate of the per-layer and final fine-tunes (the new GAP head's at the run's rate)
 * @param channelMultiple each pruned layer's kept count rounds to the nearest multiple of it
 */
public record ThiNetSettings(double ratio, int firstLayers, boolean gapHead, int imagesPerClass, int locations,
        int layerFineTuneSteps, int fineTuneEpochs, double fineTuneRate, int channelMultiple) {

    static final Setting<Double> RATIO = Setting.real("ratio", 0.5,
            "fraction of channels each pruned layer keeps (ThiNet-70/50/30: 0.7/0.5/0.3)").above(0).below(1);
    static final Setting<Integer> FIRST_LAYERS = Setting.integer("firstLayers", 0,
            "prune only the first N prunable layers (ThiNet-Conv on VGG16: 10)").atLeast(0)
            .shownAs("0 (all prunable layers)");
    static final Setting<String> HEAD = Setting.choice("head", "keep",
            "keep the classifier, or replace it by global average pooling and one linear layer (gap: ThiNet-GAP "
                    + "and ThiNet-Tiny), trained in the final fine-tune at the run's rate", "keep", "gap");
    static final Setting<Integer> IMAGES_PER_CLASS = Setting.integer("imagesPerClass", 10,
            "calibration images per class, drawn at random from the seed (the paper: 10)").atLeast(1);
    static final Setting<Integer> LOCATIONS = Setting.integer("locations", 10,
            "sampled output locations per calibration image (the paper: 10)").atLeast(1);
    static final Setting<Integer> LAYER_FINE_TUNE_STEPS = Setting.integer("layerFineTuneSteps", 20,
            "training steps after each pruned layer (0 = none)").atLeast(0);
    static final Setting<Integer> FINE_TUNE_EPOCHS = CompressionContext.fineTuneEpochs(0,
            "epochs of fine-tuning at the end");
    static final Setting<Double> RATE_FACTOR = CompressionContext.fineTuneRateFactor(0.1,
            "the fine-tunes' rate as a factor of the run's fine-tune rate (the paper's: a tenth)");
    static final Setting<Integer> CHANNEL_MULTIPLE = ChannelMultiple.setting(1, "each pruned layer keeps the "
            + "multiple of this nearest to its ratio's count (at least one multiple): 8 or 16 fit the blocked "
            + "layouts of ONNX Runtime's and oneDNN's kernels");

    /** The declared settings, in listing order. */
    static final List<Setting<?>> ALL = List.of(RATIO, FIRST_LAYERS, HEAD, IMAGES_PER_CLASS, LOCATIONS,
            LAYER_FINE_TUNE_STEPS, FINE_TUNE_EPOCHS, RATE_FACTOR, CHANNEL_MULTIPLE, LayerwiseStrategy.LAYER_RATIOS);

    /**
     * Returns these settings with another channel multiple (the one {@code auto} resolves to for a network).
     *
     * @param multiple the multiple
     * @return the settings
     */
    ThiNetSettings withChannelMultiple(int multiple) {
        return new ThiNetSettings(ratio, firstLayers, gapHead, imagesPerClass, locations, layerFineTuneSteps,
                fineTuneEpochs, fineTuneRate, multiple);
    }

    static ThiNetSettings from(CompressionContext ctx) {
        return new ThiNetSettings(ctx.get(RATIO), ctx.get(FIRST_LAYERS), ctx.get(HEAD).equals("gap"),
                ctx.get(IMAGES_PER_CLASS), ctx.get(LOCATIONS), ctx.get(LAYER_FINE_TUNE_STEPS),
                ctx.fineTuneEpochs(FINE_TUNE_EPOCHS),
                ctx.fineTune() == null ? 0 : ctx.fineTuneRate(RATE_FACTOR), ctx.get(CHANNEL_MULTIPLE));
    }
}

package org.waecompress.baselines.thinet;

import java.util.LinkedHashMap;
import java.util.Map;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.InvalidSettingException;

/**
 * Settings of {@code thinet} ({@code strategy.thinet.*}).
 *
 * @param ratio the fraction of channels each pruned layer keeps (ThiNet-70/50/30 keep 0.7/0.5/0.3)
 * @param firstLayers prune only the first N prunable layers (0 = all; ThiNet-Conv on VGG16: 10)
 * @param imagesPerClass calibration images per class (the paper: 10)
 * @param locations sampled output locations per image (the paper: 10)
 * @param layerFineTuneSteps training steps after each pruned layer (0 = none)
 * @param fineTuneEpochs epochs of fine-tuning at the end
 */
public record ThiNetSettings(double ratio, int firstLayers, int imagesPerClass, int locations, int layerFineTuneSteps,
        int fineTuneEpochs) {

    static Map<String, String> defaults() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("ratio", "0.5");
        m.put("firstLayers", "0 (all prunable layers)");
        m.put("imagesPerClass", "10");
        m.put("locations", "10");
        m.put("layerFineTuneSteps", "20");
        m.put("fineTuneEpochs", "the run's fine-tune epochs");
        m.put(CompressionContext.FINE_TUNE_RATE_FACTOR, "0.1 (the paper's: fine-tuning at a tenth of the run's fine-tune rate)");
        return m;
    }

    static ThiNetSettings from(CompressionContext ctx) {
        return from(ctx, 0.5, 0);
    }

    static ThiNetSettings from(CompressionContext ctx, double defaultRatio, int defaultFirstLayers) {
        double ratio = ctx.number("ratio", defaultRatio);
        InvalidSettingException.check(ratio > 0 && ratio < 1, ctx.key("ratio"), ratio, "must be in (0, 1)");
        int first = (int) ctx.number("firstLayers", defaultFirstLayers);
        InvalidSettingException.check(first >= 0, ctx.key("firstLayers"), first, "must be >= 0 (0 = all)");
        int ipc = (int) ctx.number("imagesPerClass", 10);
        InvalidSettingException.check(ipc >= 1, ctx.key("imagesPerClass"), ipc, "must be >= 1");
        int loc = (int) ctx.number("locations", 10);
        InvalidSettingException.check(loc >= 1, ctx.key("locations"), loc, "must be >= 1");
        int steps = (int) ctx.number("layerFineTuneSteps", 20);
        InvalidSettingException.check(steps >= 0, ctx.key("layerFineTuneSteps"), steps, "must be >= 0");
        int ft = (int) ctx.number("fineTuneEpochs", ctx.fineTune() == null ? 0 : ctx.fineTune().epochs());
        InvalidSettingException.check(ft >= 0, ctx.key("fineTuneEpochs"), ft, "must be >= 0");
        return new ThiNetSettings(ratio, first, ipc, loc, steps, ft);
    }
}

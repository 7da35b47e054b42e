package org.waecompress.baselines.lowrank;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.InvalidSettingException;

/**
 * Settings of {@code lowrank} ({@code strategy.lowrank.*}).
 *
 * @param targetSpeedup each decomposed layer's MAC reduction factor (rank from MACs), used when
 *     {@code energy} is 0
 * @param energy keep the smallest rank whose singular values hold this fraction of the squared
 *     spectrum (0 = use {@code targetSpeedup})
 * @param layers which layers to decompose: {@code conv}, {@code linear} or {@code all}
 * @param fineTuneEpochs epochs of fine-tuning after decomposition (0 = none)
 * @param method how layers are factorised: {@code channel} (Zhang et al.'s channel decomposition from
 *     the layer's responses on calibration images), {@code svd} (the truncated SVD of the weights, no
 *     data) or {@code tucker2} (Kim et al., convolutions)
 * @param vbmf ranks from empirical variational Bayesian matrix factorisation ({@link Vbmf}) of each
 *     trained weight; overrides {@code targetSpeedup} and {@code energy} (architecture-only runs,
 *     which have no weights, fall back to {@code targetSpeedup})
 * @param calibrationImages images whose responses {@code channel} decomposes (drawn at random)
 * @param locations positions sampled per image and convolution
 */
public record LowRankSettings(double targetSpeedup, double energy, String layers, int fineTuneEpochs,
        String method, boolean vbmf, int calibrationImages, int locations) {

    /**
     * Settings with the default calibration (128 images, 10 positions each).
     *
     * @param targetSpeedup the per-layer MAC reduction
     * @param energy the energy fraction, or 0
     * @param layers conv, linear or all
     * @param fineTuneEpochs fine-tuning epochs
     * @param method channel, svd or tucker2
     * @param vbmf ranks by EVBMF
     */
    public LowRankSettings(double targetSpeedup, double energy, String layers, int fineTuneEpochs, String method,
            boolean vbmf) {
        this(targetSpeedup, energy, layers, fineTuneEpochs, method, vbmf, 128, 10);
    }

    /**
     * Settings with ranks from a MAC target or an energy fraction.
     *
     * @param targetSpeedup the per-layer MAC reduction
     * @param energy the energy fraction, or 0
     * @param layers conv, linear or all
     * @param fineTuneEpochs fine-tuning epochs
     * @param method channel, svd or tucker2
     */
    public LowRankSettings(double targetSpeedup, double energy, String layers, int fineTuneEpochs, String method) {
        this(targetSpeedup, energy, layers, fineTuneEpochs, method, false);
    }

    /**
     * Settings with the weight SVD (no data).
     *
     * @param targetSpeedup the per-layer MAC reduction
     * @param energy the energy fraction, or 0
     * @param layers conv, linear or all
     * @param fineTuneEpochs fine-tuning epochs
     */
    public LowRankSettings(double targetSpeedup, double energy, String layers, int fineTuneEpochs) {
        this(targetSpeedup, energy, layers, fineTuneEpochs, "svd");
    }

    static Map<String, String> defaults() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("targetSpeedup", "2.0");
        m.put("energy", "0 (use targetSpeedup)");
        m.put("layers", "all");
        m.put("fineTuneEpochs", "the run's fine-tune epochs");
        m.put(CompressionContext.FINE_TUNE_RATE_FACTOR, "0.1 (the paper's: fine-tuning at a tenth of the run's fine-tune rate)");
        m.put("method", "channel (Zhang et al.: from the layer's responses on calibration images; svd: the "
                + "weights' truncated SVD, no data; tucker2: Kim et al.)");
        m.put("calibrationImages", "128 (channel: images drawn at random whose responses are decomposed)");
        m.put("locations", "10 (channel: positions sampled per image and convolution)");
        m.put("vbmf", "false (true: per-layer ranks from EVBMF of the trained weights, as Kim et al.)");
        return m;
    }

    /**
     * Reads and validates the settings.
     *
     * @param ctx the context
     * @return the settings
     */
    static LowRankSettings from(CompressionContext ctx) {
        double s = ctx.number("targetSpeedup", 2.0);
        InvalidSettingException.check(s > 1, ctx.key("targetSpeedup"), s, "must be > 1");
        double e = ctx.number("energy", 0);
        InvalidSettingException.check(e == 0 || (e > 0 && e < 1), ctx.key("energy"), e, "must be 0 or in (0, 1)");
        String layers = ctx.settings().getString("layers", "all").trim().toLowerCase(Locale.ROOT);
        InvalidSettingException.check(layers.equals("all") || layers.equals("conv") || layers.equals("linear"),
                ctx.key("layers"), layers, "must be conv, linear or all");
        int ft = (int) ctx.number("fineTuneEpochs", ctx.fineTune() == null ? 0 : ctx.fineTune().epochs());
        InvalidSettingException.check(ft >= 0, ctx.key("fineTuneEpochs"), ft, "must be >= 0");
        String method = ctx.settings().getString("method", "channel").trim().toLowerCase(Locale.ROOT);
        InvalidSettingException.check(method.equals("channel") || method.equals("svd") || method.equals("tucker2"),
                ctx.key("method"), method, "must be channel, svd or tucker2");
        boolean vbmf = ctx.flag("vbmf", false);
        int images = (int) ctx.number("calibrationImages", 128);
        InvalidSettingException.check(images >= 1, ctx.key("calibrationImages"), images, "must be >= 1");
        int loc = (int) ctx.number("locations", 10);
        InvalidSettingException.check(loc >= 1, ctx.key("locations"), loc, "must be >= 1");
        return new LowRankSettings(s, e, layers, ft, method, vbmf, images, loc);
    }
}

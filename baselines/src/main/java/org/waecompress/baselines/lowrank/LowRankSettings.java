package org.waecompress.baselines.lowrank;

import java.util.List;
import java.util.Map;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.LayerwiseStrategy;
import org.waecompress.spi.setting.Setting;
import org.waecompress.spi.spec.ChannelMultiple;

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
 * @param layerRatios per layer, the fraction of its MACs its decomposition keeps; when not empty, only
 *     these layers are decomposed, each to its fraction (overriding targetSpeedup, energy and vbmf)
 * @param channelMultiple ranks round to the nearest multiple of it
 */
public record LowRankSettings(double targetSpeedup, double energy, String layers, int fineTuneEpochs,
        String method, boolean vbmf, int calibrationImages, int locations, Map<String, Double> layerRatios,
        int channelMultiple) {

    /**
     * Settings without a channel multiple.
     *
     * @param targetSpeedup the per-layer MAC reduction
     * @param energy the energy fraction, or 0
     * @param layers conv, linear or all
     * @param fineTuneEpochs fine-tuning epochs
     * @param method channel, svd or tucker2
     * @param vbmf ranks by EVBMF
     * @param calibrationImages calibration images
     * @param locations positions per image
     * @param layerRatios per-layer ratios, or empty
     */
    public LowRankSettings(double targetSpeedup, double energy, String layers, int fineTuneEpochs, String method,
            boolean vbmf, int calibrationImages, int locations, Map<String, Double> layerRatios) {
        this(targetSpeedup, energy, layers, fineTuneEpochs, method, vbmf, calibrationImages, locations, layerRatios,
                1);
    }

    /**
     * Settings without per-layer ratios.
     *
     * @param targetSpeedup the per-layer MAC reduction
     * @param energy the energy fraction, or 0
     * @param layers conv, linear or all
     * @param fineTuneEpochs fine-tuning epochs
     * @param method channel, svd or tucker2
     * @param vbmf ranks by EVBMF
     * @param calibrationImages calibration images
     * @param locations positions per image
     */
    public LowRankSettings(double targetSpeedup, double energy, String layers, int fineTuneEpochs, String method,
            boolean vbmf, int calibrationImages, int locations) {
        this(targetSpeedup, energy, layers, fineTuneEpochs, method, vbmf, calibrationImages, locations, Map.of());
    }

    /**
     * Returns a layer's MAC reduction: its ratio's inverse when per-layer ratios are set, else the
     * uniform target.
     *
     * @param path the layer
     * @return the reduction factor
     */
    public double target(String path) {
        return layerRatios.isEmpty() ? targetSpeedup : 1 / layerRatios.get(path);
    }

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

    static final Setting<Double> TARGET = Setting.real("targetSpeedup", 2.0,
            "each decomposed layer's MAC reduction (its rank follows), used when energy is 0").above(1);
    static final Setting<Double> ENERGY = Setting.real("energy", 0,
            "keep the smallest rank whose singular values hold this fraction of the squared spectrum (0 = use "
                    + "targetSpeedup)").atLeast(0).below(1).shownAs("0 (use targetSpeedup)");
    static final Setting<String> LAYERS = Setting.choice("layers", "all", "which layers to decompose",
            "all", "conv", "linear");
    static final Setting<Integer> FINE_TUNE_EPOCHS = CompressionContext.fineTuneEpochs(0,
            "epochs of fine-tuning after decomposition (0 = none)");
    static final Setting<Double> RATE_FACTOR = CompressionContext.fineTuneRateFactor(0.1,
            "the fine-tune's rate as a factor of the run's fine-tune rate (the paper's: a tenth)");
    static final Setting<String> METHOD = Setting.choice("method", "channel",
            "channel (Zhang et al.: from the layer's responses on calibration images), svd (the weights' truncated "
                    + "SVD, no data) or tucker2 (Kim et al.)", "channel", "svd", "tucker2");
    static final Setting<Integer> CALIBRATION_IMAGES = Setting.integer("calibrationImages", 128,
            "channel: images drawn at random whose responses are decomposed").atLeast(1);
    static final Setting<Integer> LOCATIONS = Setting.integer("locations", 10,
            "channel: positions sampled per image and convolution").atLeast(1);
    static final Setting<Boolean> VBMF = Setting.flag("vbmf", false,
            "per-layer ranks from EVBMF of the trained weights, as Kim et al. (overrides targetSpeedup and energy)");
    static final Setting<Integer> CHANNEL_MULTIPLE = ChannelMultiple.setting(1, "each rank (tucker2: both) rounds "
            + "to the nearest multiple of this (at least one multiple; a layer still keeps none that saves no MACs): "
            + "the thin layers' widths, 8 or 16 for the blocked layouts of ONNX Runtime's and oneDNN's kernels");

    /** The declared settings, in listing order. */
    static final List<Setting<?>> ALL = List.of(TARGET, ENERGY, LAYERS, FINE_TUNE_EPOCHS, RATE_FACTOR, METHOD,
            CALIBRATION_IMAGES, LOCATIONS, VBMF, CHANNEL_MULTIPLE, LayerwiseStrategy.LAYER_RATIOS);

    /**
     * Reads the settings.
     *
     * @param ctx the context
     * @return the settings
     */
    static LowRankSettings from(CompressionContext ctx) {
        return new LowRankSettings(ctx.get(TARGET), ctx.get(ENERGY), ctx.get(LAYERS),
                ctx.fineTuneEpochs(FINE_TUNE_EPOCHS), ctx.get(METHOD),
                ctx.get(VBMF), ctx.get(CALIBRATION_IMAGES), ctx.get(LOCATIONS),
                LayerwiseStrategy.layerRatios(ctx, null), ctx.get(CHANNEL_MULTIPLE));
    }
}

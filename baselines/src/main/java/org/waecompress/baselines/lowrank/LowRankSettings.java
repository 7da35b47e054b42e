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
 * @param method how convolutions are factorised: {@code channel} (Zhang et al.) or {@code tucker2}
 *     (Kim et al.)
 * @param vbmf ranks from empirical variational Bayesian matrix factorisation ({@link Vbmf}) of each
 *     trained weight; overrides {@code targetSpeedup} and {@code energy} (architecture-only runs,
 *     which have no weights, fall back to {@code targetSpeedup})
 */
public record LowRankSettings(double targetSpeedup, double energy, String layers, int fineTuneEpochs,
        String method, boolean vbmf) {

    /**
     * Settings with ranks from a MAC target or an energy fraction.
     *
     * @param targetSpeedup the per-layer MAC reduction
     * @param energy the energy fraction, or 0
     * @param layers conv, linear or all
     * @param fineTuneEpochs fine-tuning epochs
     * @param method channel or tucker2
     */
    public LowRankSettings(double targetSpeedup, double energy, String layers, int fineTuneEpochs, String method) {
        this(targetSpeedup, energy, layers, fineTuneEpochs, method, false);
    }

    /**
     * Settings with the channel decomposition for convolutions.
     *
     * @param targetSpeedup the per-layer MAC reduction
     * @param energy the energy fraction, or 0
     * @param layers conv, linear or all
     * @param fineTuneEpochs fine-tuning epochs
     */
    public LowRankSettings(double targetSpeedup, double energy, String layers, int fineTuneEpochs) {
        this(targetSpeedup, energy, layers, fineTuneEpochs, "channel");
    }

    static Map<String, String> defaults() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("targetSpeedup", "2.0");
        m.put("energy", "0 (use targetSpeedup)");
        m.put("layers", "all");
        m.put("fineTuneEpochs", "the run's fine-tune epochs");
        m.put(CompressionContext.FINE_TUNE_RATE_FACTOR, "0.1 (the paper's: fine-tuning at a tenth of the run's fine-tune rate)");
        m.put("method", "channel (or tucker2)");
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
        InvalidSettingException.check(method.equals("channel") || method.equals("tucker2"), ctx.key("method"),
                method, "must be channel or tucker2");
        boolean vbmf = ctx.flag("vbmf", false);
        return new LowRankSettings(s, e, layers, ft, method, vbmf);
    }
}

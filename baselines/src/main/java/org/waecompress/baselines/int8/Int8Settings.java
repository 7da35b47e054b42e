package org.waecompress.baselines.int8;

import java.util.List;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.setting.Setting;

/**
 * Settings of {@code int8} ({@code strategy.int8.*}).
 *
 * @param calibrationImages training images drawn (seeded) to calibrate the activation ranges
 * @param calibrator how a point's range is chosen: {@code minmax}, {@code percentile} or {@code entropy}
 * @param percentile the percentile of |x| that {@code percentile} keeps, in (0, 100]
 * @param fineTuneEpochs epochs of quantization-aware training after calibration (0: post-training only)
 */
public record Int8Settings(int calibrationImages, String calibrator, double percentile, int fineTuneEpochs) {

    static final Setting<Integer> CALIBRATION_IMAGES = Setting.integer("calibrationImages", 512,
            "training images (a seeded sample) that calibrate the activation ranges; at least one batch").atLeast(1);
    static final Setting<String> CALIBRATOR = Setting.choice("calibrator", "percentile",
            "how each activation's range is chosen: minmax (smallest to largest value seen), percentile (clip |x| at "
                    + "the percentile setting), entropy (the clipping of least KL divergence, TensorRT's)",
            "minmax", "percentile", "entropy");
    static final Setting<Double> PERCENTILE = Setting.real("percentile", 99.999,
            "the calibrator percentile's share of |x| kept unclipped, in percent").above(0).atMost(100);
    static final Setting<Integer> FINE_TUNE_EPOCHS = Setting.integer("fineTuneEpochs", 0,
            "epochs of quantization-aware training (simulated int8 forward, straight-through gradient) after "
                    + "calibration; 0 is post-training quantization").atLeast(0);
    static final Setting<Double> RATE_FACTOR = CompressionContext.fineTuneRateFactor(0.1,
            "quantization-aware training fine-tunes a trained network, at a tenth of the run's rate");

    static final List<Setting<?>> ALL = List.of(CALIBRATION_IMAGES, CALIBRATOR, PERCENTILE, FINE_TUNE_EPOCHS,
            RATE_FACTOR);

    /**
     * Reads the settings.
     *
     * @param ctx the context
     * @return the settings
     */
    static Int8Settings from(CompressionContext ctx) {
        return new Int8Settings(ctx.get(CALIBRATION_IMAGES), ctx.get(CALIBRATOR), ctx.get(PERCENTILE),
                ctx.get(FINE_TUNE_EPOCHS));
    }
}

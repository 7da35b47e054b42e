package org.waecompress.spi;

import java.nio.file.Path;
import java.util.Objects;
import org.apache.commons.configuration2.ImmutableConfiguration;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.train.NetworkTrainer;
import org.waecompress.spi.train.ProgressListener;
import org.waecompress.spi.train.TrainSettings;

/**
 * What a strategy is given besides the network.
 *
 * @param strategyId the id of the strategy being run, for setting keys in messages
 * @param settings the {@code strategy.<id>.*} subset of the configuration (keys without prefix)
 * @param seed the run's seed
 * @param trainData training samples (for fine-tuning and calibration), by index
 * @param trainer the shared trainer
 * @param fineTune the run's default training settings, for strategies that fine-tune
 * @param progress where to report progress
 * @param outputDir a folder for the strategy's own files (pictures), created on demand
 */
public record CompressionContext(String strategyId, ImmutableConfiguration settings, long seed,
        ImageDataset trainData, NetworkTrainer trainer, TrainSettings fineTune, ProgressListener progress,
        Path outputDir) {

    /** Validates the context. */
    public CompressionContext {
        Objects.requireNonNull(strategyId, "strategyId");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(trainer, "trainer");
        progress = progress == null ? ProgressListener.NONE : progress;
    }

    /**
     * Returns the full key of a setting of this strategy, for messages.
     *
     * @param key the key relative to the strategy's prefix
     * @return {@code strategy.<id>.<key>}
     */
    public String key(String key) {
        return "strategy." + strategyId + "." + key;
    }

    /**
     * Reads a numeric setting.
     *
     * @param key the key relative to the strategy's prefix
     * @param dflt the value when the key is absent
     * @return the value
     * @throws InvalidSettingException naming the full key if the value is not a number
     */
    public double number(String key, double dflt) {
        String v = settings.getString(key, null);
        if (v == null) {
            return dflt;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(key(key), v, "must be a number");
        }
    }

    /** The setting every strategy that fine-tunes reads for its rate: a factor of the run's fine-tune rate. */
    public static final String FINE_TUNE_RATE_FACTOR = "fineTuneRateFactor";

    /**
     * Returns the learning rate of this strategy's fine-tuning: the run's fine-tune rate times the
     * strategy's {@value #FINE_TUNE_RATE_FACTOR} setting, whose default is the factor its paper uses
     * (ThiNet, Taylor and low-rank fine-tune at a tenth of the training rate) and 1 otherwise. One
     * setting for every strategy, so the table can state each row's rate.
     *
     * @param paperFactor the strategy's default factor
     * @return the rate
     * @throws InvalidSettingException if the factor is not in (0, 10]
     */
    public double fineTuneRate(double paperFactor) {
        double f = number(FINE_TUNE_RATE_FACTOR, paperFactor);
        InvalidSettingException.check(f > 0 && f <= 10, key(FINE_TUNE_RATE_FACTOR), f, "must be in (0, 10]");
        return fineTune.learningRate() * f;
    }

    /**
     * Reads a true/false setting.
     *
     * @param key the key relative to the strategy's prefix
     * @param dflt the value when the key is absent
     * @return the value
     * @throws InvalidSettingException naming the full key if the value is neither true nor false
     */
    public boolean flag(String key, boolean dflt) {
        String v = settings.getString(key, null);
        if (v == null) {
            return dflt;
        }
        return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidSettingException(key(key), v, "must be true or false");
        };
    }
}

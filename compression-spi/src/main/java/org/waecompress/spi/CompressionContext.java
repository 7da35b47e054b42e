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
}

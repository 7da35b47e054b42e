package org.waecompress.spi;

import java.nio.file.Path;
import java.util.Objects;
import org.apache.commons.configuration2.ImmutableConfiguration;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.setting.Setting;
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
     * Reads a setting: the value given for {@code strategy.<id>.<name>}, else its declared default.
     *
     * @param <T> the value type
     * @param setting the setting, one of the strategy's {@link CompressionStrategy#settings()}
     * @return the value
     * @throws InvalidSettingException naming the full key if the value is not allowed
     * @throws IllegalStateException if the setting's default depends on the run (use {@link #get(Setting, Object)})
     */
    public <T> T get(Setting<T> setting) {
        if (setting.defaultValue() == null && settings.getString(setting.name(), null) == null) {
            throw new IllegalStateException(key(setting.name()) + " has a default that depends on the run ("
                    + setting.defaultText() + "): read it with get(setting, runDefault)");
        }
        return get(setting, setting.defaultValue());
    }

    /**
     * Reads a setting whose default depends on the run or on another setting.
     *
     * @param <T> the value type
     * @param setting the setting
     * @param runDefault the value when the key is not given
     * @return the value
     * @throws InvalidSettingException naming the full key if the value is not allowed
     */
    public <T> T get(Setting<T> setting, T runDefault) {
        String v = settings.getString(setting.name(), null);
        return v == null ? runDefault : setting.parse(key(setting.name()), v);
    }

    /**
     * Declares the setting every strategy that fine-tunes reads for its rate, {@code fineTuneRateFactor}:
     * a factor of the run's fine-tune rate whose default is the factor its paper uses (ThiNet, Taylor
     * and low-rank fine-tune at a tenth of the training rate) and 1 otherwise. One setting for every
     * strategy, so the table can state each row's rate.
     *
     * @param paperFactor the strategy's default factor
     * @param doc why that default
     * @return the setting, in (0, 10]
     */
    public static Setting<Double> fineTuneRateFactor(double paperFactor, String doc) {
        return Setting.real(FINE_TUNE_RATE_FACTOR, paperFactor, doc).above(0).atMost(10);
    }

    /** The name of the {@link #fineTuneRateFactor} setting. */
    public static final String FINE_TUNE_RATE_FACTOR = "fineTuneRateFactor";

    /** The name of the {@link #fineTuneEpochs(int, String)} setting. */
    public static final String FINE_TUNE_EPOCHS = "fineTuneEpochs";

    /**
     * Declares the setting every strategy that fine-tunes reads for its epochs, {@code fineTuneEpochs}, whose
     * default is the run's {@code finetune.epochs}: one name and one default for every strategy.
     *
     * @param least the fewest epochs the strategy accepts (0: it may skip its fine-tune)
     * @param doc what the epochs are spent on
     * @return the setting
     */
    public static Setting<Integer> fineTuneEpochs(int least, String doc) {
        return Setting.integer(FINE_TUNE_EPOCHS, "the run's fine-tune epochs", doc).atLeast(least);
    }

    /**
     * Reads a {@link #fineTuneEpochs(int, String)} setting: the given value, else the run's fine-tune epochs
     * (0 without a fine-tune budget, as in checks before the run).
     *
     * @param setting the strategy's declared setting
     * @return the epochs
     */
    public int fineTuneEpochs(Setting<Integer> setting) {
        return get(setting, fineTune == null ? 0 : fineTune.epochs());
    }

    /**
     * Returns the learning rate of this strategy's fine-tuning: the run's fine-tune rate times the
     * strategy's {@link #fineTuneRateFactor} setting.
     *
     * @param factor the strategy's declared factor setting
     * @return the rate
     * @throws InvalidSettingException if the factor is not in (0, 10]
     */
    public double fineTuneRate(Setting<Double> factor) {
        return fineTune.learningRate() * get(factor);
    }

    /**
     * The fine-tune step every strategy shares: trains a network with the run's fine-tune settings
     * (optimizer, batch size, schedule, seed, augmentation) on the training data, for the given
     * epochs and at the given rate. The input is left unchanged and still owned by the caller.
     *
     * @param task the label of progress lines and checkpoints (unique within the row)
     * @param net the network to start from
     * @param epochs epochs
     * @param maxBatchesPerEpoch a cap on batches per epoch (0: the run's, which is the whole training set
     *     unless the run caps it)
     * @param learningRate the rate ({@link #fineTuneRate} gives the strategy's)
     * @return the fine-tuned network, owned by the caller
     */
    public Network fineTuneStep(String task, Network net, int epochs, int maxBatchesPerEpoch, double learningRate) {
        return trainer.train(task, net, trainData, fineTuneSettings(task, epochs, maxBatchesPerEpoch, learningRate))
                .network();
    }

    /**
     * Returns the settings of one {@link #fineTuneStep}: the run's fine-tune settings with the step's
     * epochs, cap and rate, and a seed of the step's own ({@link #stepSeed}), so that the short
     * fine-tunes between pruning steps each draw their own batches instead of replaying the first
     * batches of one permutation.
     *
     * @param task the step's label (unique within the row)
     * @param epochs epochs
     * @param maxBatchesPerEpoch a cap on batches per epoch (0: the run's)
     * @param learningRate the rate
     * @return the settings
     */
    public TrainSettings fineTuneSettings(String task, int epochs, int maxBatchesPerEpoch, double learningRate) {
        return fineTune.toBuilder().epochs(epochs).seed(stepSeed(fineTune.seed(), task))
                .maxBatchesPerEpoch(maxBatchesPerEpoch == 0 ? fineTune.maxBatchesPerEpoch() : maxBatchesPerEpoch)
                .learningRate(learningRate).build();
    }

    /**
     * Derives the seed of one fine-tune step from the run's seed and the step's label: reproducible
     * (the same run and label give the same seed, so a resumed step replays the same batches) and
     * different for every label, so every step shuffles the training data its own way.
     *
     * @param seed the run's fine-tune seed
     * @param task the step's label
     * @return the step's seed, non-negative
     */
    public static long stepSeed(long seed, String task) {
        long h = seed;
        for (int i = 0; i < task.length(); i++) {
            h = h * 1_000_003L + task.charAt(i);
        }
        return new java.util.SplittableRandom(h).nextLong() & Long.MAX_VALUE;
    }
}

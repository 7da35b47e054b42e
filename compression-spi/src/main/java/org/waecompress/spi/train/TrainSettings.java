package org.waecompress.spi.train;

import java.util.List;
import java.util.Locale;
import org.waecompress.spi.error.InvalidSettingException;

/**
 * How to train: SGD with momentum, weight decay, a learning-rate schedule, epochs, batch size, seed.
 *
 * <p>Build with {@link #builder()}; every value is validated and a bad one is reported with its
 * key, for example {@code epochs = 0: must be >= 1}.
 *
 * @param epochs passes over the training data
 * @param batchSize samples per step
 * @param learningRate the initial learning rate
 * @param momentum SGD momentum
 * @param weightDecay L2 weight decay
 * @param decayBiasAndNorm whether biases and batch-norm parameters are decayed too
 * @param schedule the learning-rate schedule
 * @param stepEpochs for {@link Schedule#STEP}: epochs (1-based) after which the rate is multiplied
 *     by {@code stepFactor}
 * @param stepFactor for {@link Schedule#STEP}: the multiplier
 * @param warmupEpochs epochs of linear warm-up from 0 (may be fractional; 0 for none)
 * @param seed the seed for shuffling (and initialisation done by callers)
 * @param maxBatchesPerEpoch a cap on steps per epoch (0 for no cap)
 * @param optimizer SGD with momentum (the default) or Adam (useful for auto-encoders)
 * @param augmentation what is done to training images (evaluation never augments)
 */
public record TrainSettings(int epochs, int batchSize, double learningRate, double momentum, double weightDecay,
        boolean decayBiasAndNorm, Schedule schedule, List<Integer> stepEpochs, double stepFactor,
        double warmupEpochs, long seed, int maxBatchesPerEpoch, OptimizerKind optimizer,
        Augmentation augmentation) {

    /** The update rule. */
    public enum OptimizerKind {
        /** Stochastic gradient descent with momentum. */
        SGD,
        /** Adam (Kingma and Ba, 2015) with its default betas; momentum is ignored. */
        ADAM
    }

    /** Learning-rate schedules. */
    public enum Schedule {
        /** The rate stays constant. */
        CONSTANT,
        /** The rate is multiplied by a factor after given epochs. */
        STEP,
        /** The rate follows half a cosine from its initial value to 0 over all steps. */
        COSINE;

        /**
         * Parses a schedule name, case-insensitively.
         *
         * @param key the setting's key, for the error
         * @param value the name
         * @return the schedule
         */
        public static Schedule parse(String key, String value) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(key, value, "must be one of constant, step, cosine");
            }
        }
    }

    /** Validates every value. */
    public TrainSettings {
        InvalidSettingException.check(epochs >= 1, "epochs", epochs, "must be >= 1");
        InvalidSettingException.check(batchSize >= 1, "batchSize", batchSize, "must be >= 1");
        InvalidSettingException.check(learningRate > 0 && Double.isFinite(learningRate), "learningRate",
                learningRate, "must be a positive number");
        InvalidSettingException.check(momentum >= 0 && momentum < 1, "momentum", momentum, "must be in [0, 1)");
        InvalidSettingException.check(weightDecay >= 0, "weightDecay", weightDecay, "must be >= 0");
        InvalidSettingException.check(stepFactor > 0 && stepFactor <= 1, "stepFactor", stepFactor,
                "must be in (0, 1]");
        InvalidSettingException.check(warmupEpochs >= 0, "warmupEpochs", warmupEpochs, "must be >= 0");
        InvalidSettingException.check(maxBatchesPerEpoch >= 0, "maxBatchesPerEpoch", maxBatchesPerEpoch,
                "must be >= 0 (0 = no cap)");
        schedule = schedule == null ? Schedule.COSINE : schedule;
        optimizer = optimizer == null ? OptimizerKind.SGD : optimizer;
        augmentation = augmentation == null ? Augmentation.NONE : augmentation;
        stepEpochs = List.copyOf(stepEpochs == null ? List.of() : stepEpochs);
    }

    /**
     * Returns a builder with the defaults: 10 epochs, batch 128, rate 0.05, momentum 0.9, decay 5e-4
     * (not on biases and batch-norm), cosine schedule, seed 42, no augmentation.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns a builder starting from these settings.
     *
     * @return the builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.epochs = epochs;
        b.batchSize = batchSize;
        b.learningRate = learningRate;
        b.momentum = momentum;
        b.weightDecay = weightDecay;
        b.decayBiasAndNorm = decayBiasAndNorm;
        b.schedule = schedule;
        b.stepEpochs = stepEpochs;
        b.stepFactor = stepFactor;
        b.warmupEpochs = warmupEpochs;
        b.seed = seed;
        b.maxBatchesPerEpoch = maxBatchesPerEpoch;
        b.optimizer = optimizer;
        b.augmentation = augmentation;
        return b;
    }

    /**
     * Returns the learning-rate schedule of a training call with these settings.
     *
     * @param stepsPerEpoch steps in one epoch
     * @return the schedule
     */
    public LearningRateSchedule schedule(long stepsPerEpoch) {
        return new LearningRateSchedule(this, stepsPerEpoch);
    }

    /** Builds {@link TrainSettings}. */
    public static final class Builder {
        private int epochs = 10;
        private int batchSize = 128;
        private double learningRate = 0.05;
        private double momentum = 0.9;
        private double weightDecay = 5e-4;
        private boolean decayBiasAndNorm;
        private Schedule schedule = Schedule.COSINE;
        private List<Integer> stepEpochs = List.of();
        private double stepFactor = 0.1;
        private double warmupEpochs;
        private long seed = 42;
        private int maxBatchesPerEpoch;
        private OptimizerKind optimizer = OptimizerKind.SGD;
        private Augmentation augmentation = Augmentation.NONE;

        private Builder() {}

        /**
         * Sets the training-time augmentation.
         *
         * @param v the augmentation
         * @return this builder
         */
        public Builder augmentation(Augmentation v) {
            augmentation = v;
            return this;
        }

        /**
         * Sets the update rule.
         *
         * @param v the optimizer
         * @return this builder
         */
        public Builder optimizer(OptimizerKind v) {
            optimizer = v;
            return this;
        }

        /**
         * Sets the epochs.
         *
         * @param v the value
         * @return this builder
         */
        public Builder epochs(int v) {
            epochs = v;
            return this;
        }

        /**
         * Sets the batch size.
         *
         * @param v the value
         * @return this builder
         */
        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        /**
         * Sets the initial learning rate.
         *
         * @param v the value
         * @return this builder
         */
        public Builder learningRate(double v) {
            learningRate = v;
            return this;
        }

        /**
         * Sets the momentum.
         *
         * @param v the value
         * @return this builder
         */
        public Builder momentum(double v) {
            momentum = v;
            return this;
        }

        /**
         * Sets the weight decay.
         *
         * @param v the value
         * @return this builder
         */
        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        /**
         * Sets whether biases and batch-norm parameters are decayed.
         *
         * @param v the value
         * @return this builder
         */
        public Builder decayBiasAndNorm(boolean v) {
            decayBiasAndNorm = v;
            return this;
        }

        /**
         * Sets the schedule.
         *
         * @param v the value
         * @return this builder
         */
        public Builder schedule(Schedule v) {
            schedule = v;
            return this;
        }

        /**
         * Sets a step schedule.
         *
         * @param factor the multiplier
         * @param epochsAfter the epochs after which to multiply
         * @return this builder
         */
        public Builder step(double factor, Integer... epochsAfter) {
            schedule = Schedule.STEP;
            stepFactor = factor;
            stepEpochs = List.of(epochsAfter);
            return this;
        }

        /**
         * Sets the warm-up length.
         *
         * @param v epochs of warm-up
         * @return this builder
         */
        public Builder warmupEpochs(double v) {
            warmupEpochs = v;
            return this;
        }

        /**
         * Sets the seed.
         *
         * @param v the value
         * @return this builder
         */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /**
         * Caps the steps per epoch.
         *
         * @param v the cap, 0 for none
         * @return this builder
         */
        public Builder maxBatchesPerEpoch(int v) {
            maxBatchesPerEpoch = v;
            return this;
        }

        /**
         * Builds and validates.
         *
         * @return the settings
         */
        public TrainSettings build() {
            return new TrainSettings(epochs, batchSize, learningRate, momentum, weightDecay, decayBiasAndNorm,
                    schedule, stepEpochs, stepFactor, warmupEpochs, seed, maxBatchesPerEpoch, optimizer, augmentation);
        }
    }
}

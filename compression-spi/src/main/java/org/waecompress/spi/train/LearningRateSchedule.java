package org.waecompress.spi.train;

import ai.djl.training.tracker.Tracker;

/**
 * The learning rate of a training call at each step, as a DJL {@link Tracker}: the run's rate under a cosine
 * decay to zero over all epochs or a step decay ({@link TrainSettings.Schedule}), with an optional linear
 * warm-up. A DJL optimizer can take it as its learning-rate tracker ({@link #getNewValue(int)}).
 *
 * <p>The trainer reads {@link #valueAt(long)}, the same value in double precision: DJL's own
 * {@code CosineTracker}, {@code MultiFactorTracker} and {@code WarmUpTracker} compute in float arithmetic,
 * and on a 189-step cosine schedule 81 of their rates differ in the last bit from this schedule's rounded to
 * float, which would change every trained network and every table from the rates the runs so far used.
 */
public final class LearningRateSchedule implements Tracker {

    private final TrainSettings settings;
    private final long stepsPerEpoch;

    /**
     * Creates the schedule of one training call.
     *
     * @param settings the call's settings (rate, epochs, schedule, warm-up)
     * @param stepsPerEpoch steps in one epoch
     */
    LearningRateSchedule(TrainSettings settings, long stepsPerEpoch) {
        if (stepsPerEpoch < 1) {
            throw new IllegalArgumentException("steps per epoch must be >= 1, got " + stepsPerEpoch);
        }
        this.settings = settings;
        this.stepsPerEpoch = stepsPerEpoch;
    }

    /**
     * Returns the learning rate at a step.
     *
     * @param step the step index, from 0
     * @return the learning rate
     */
    public double valueAt(long step) {
        double base = settings.learningRate();
        long total = stepsPerEpoch * settings.epochs();
        double lr = base;
        switch (settings.schedule()) {
            case COSINE -> lr = 0.5 * base * (1 + Math.cos(Math.PI * Math.min(step, total) / (double) total));
            case STEP -> {
                double epoch = step / (double) stepsPerEpoch;
                for (int e : settings.stepEpochs()) {
                    if (epoch >= e) {
                        lr *= settings.stepFactor();
                    }
                }
            }
            default -> { }
        }
        double warm = settings.warmupEpochs() * stepsPerEpoch;
        if (warm > 0 && step < warm) {
            lr *= (step + 1) / warm;
        }
        return lr;
    }

    @Override
    public float getNewValue(int numUpdate) {
        return (float) valueAt(numUpdate);
    }
}

package org.waecompress.spi.train;

import java.util.Map;

/**
 * What one training epoch did.
 *
 * @param epoch the epoch, from 1
 * @param loss the mean loss
 * @param terms the mean of each named loss term
 * @param learningRate the learning rate at the epoch's end
 * @param seconds wall time of the epoch
 * @param samplesPerSecond training throughput
 */
public record EpochStats(int epoch, double loss, Map<String, Double> terms, double learningRate, double seconds,
        double samplesPerSecond) {}

package org.waecompress.spi.train;

import ai.djl.nn.Parameter;

/**
 * A parameter a call trains: its name, the parameter, its updater (with or without weight decay) and
 * its learning-rate factor.
 */
record TrainedParameter(String name, Parameter parameter, ParameterUpdater updater, double factor) {}

package org.waecompress.spi.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SGD with momentum or Adam for one group of parameters (one rate factor, one weight decay), with its
 * state keyed by parameter name so that a checkpoint can save and restore it.
 *
 * <p>DJL's own {@code Sgd} and {@code Adam} keep their momentum and moment estimates private, keyed
 * by the random ids a build gives parameters, so training interrupted at an epoch could not continue
 * where it stopped. This class makes the same native update calls with the same arguments as DJL
 * 0.36's optimizers (rescale 1, no gradient clipping, lazy update; Adam's beta1 0.9, beta2 0.999,
 * epsilon 1e-8 and bias correction from the step count), so it trains bit for bit like them; {@code
 * NetworkTrainerTest} checks that.
 */
final class ParameterUpdater {

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;

    private final TrainSettings.OptimizerKind kind;
    private final float momentum;
    private final float weightDecay;
    private final Map<String, NDArray[]> state = new LinkedHashMap<>();

    /**
     * Creates an updater.
     *
     * @param kind SGD or Adam
     * @param momentum SGD's momentum (0 keeps no state)
     * @param weightDecay the L2 weight decay of this group
     */
    ParameterUpdater(TrainSettings.OptimizerKind kind, float momentum, float weightDecay) {
        this.kind = kind;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

    /** The number of state tensors kept per parameter: SGD's momentum, or Adam's two moment estimates. */
    int statesPerParameter() {
        if (kind == TrainSettings.OptimizerKind.ADAM) {
            return 2;
        }
        return momentum != 0f ? 1 : 0;
    }

    /**
     * Updates one parameter in place.
     *
     * @param name the parameter's full name
     * @param weight its value
     * @param grad its gradient
     * @param learningRate this step's rate (the group's factor applied)
     * @param step the 1-based number of this step (Adam's bias correction)
     * @param manager where new state tensors live
     */
    void update(String name, NDArray weight, NDArray grad, float learningRate, long step, NDManager manager) {
        NDArray[] s = state.computeIfAbsent(name, k -> {
            NDArray[] fresh = new NDArray[statesPerParameter()];
            for (int i = 0; i < fresh.length; i++) {
                fresh[i] = weight.zerosLike();
                fresh[i].attach(manager);
            }
            return fresh;
        });
        NDList inputs = new NDList(weight, grad);
        for (NDArray a : s) {
            inputs.add(a);
        }
        NDList weights = new NDList(weight);
        if (kind == TrainSettings.OptimizerKind.ADAM) {
            double coef1 = 1.0 - Math.pow(BETA1, step);
            double coef2 = 1.0 - Math.pow(BETA2, step);
            float corrected = (float) (learningRate * Math.sqrt(coef2) / coef1);
            weight.getNDArrayInternal().adamUpdate(inputs, weights, learningRate, corrected, weightDecay, 1f, -1f,
                    BETA1, BETA2, EPSILON, true, false);
        } else {
            weight.getNDArrayInternal().sgdUpdate(inputs, weights, learningRate, weightDecay, 1f, -1f, momentum,
                    true);
        }
    }

    /**
     * Returns the state tensors of each parameter updated so far (live arrays, not copies).
     *
     * @return parameter name to its state tensors
     */
    Map<String, NDArray[]> state() {
        return state;
    }

    /**
     * Restores one parameter's state tensors, taking ownership of them.
     *
     * @param name the parameter's full name
     * @param tensors its state, as {@link #state()} gave it
     * @param manager where the tensors are to live
     */
    void restore(String name, NDArray[] tensors, NDManager manager) {
        if (tensors.length != statesPerParameter()) {
            throw new IllegalArgumentException(name + ": " + tensors.length + " state tensors, expected "
                    + statesPerParameter());
        }
        for (NDArray t : tensors) {
            t.attach(manager);
        }
        state.put(name, tensors);
    }
}

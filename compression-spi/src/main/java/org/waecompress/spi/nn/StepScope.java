package org.waecompress.spi.nn;

import ai.djl.ndarray.NDArray;

/**
 * Keeps arrays computed from parameters inside the forward pass's scope.
 *
 * <p>DJL attaches an operation's result to the manager of its first operand. A block that computes
 * something from a parameter ({@code weight.flip(...)}, {@code concat(weights)}, {@code
 * gate.reshape(...)}) therefore puts the result in the parameter's manager, which lives as long as
 * the network: every training step or inference batch then leaves arrays behind that no batch
 * scope closes. In training each such array also pins native autograd state, and WAE's auto-encoder
 * grew by about 9 MB a step this way. Blocks pass such results through {@link #of} so they are
 * closed with the input batch's manager.
 */
public final class StepScope {

    private StepScope() {}

    /**
     * Moves an array derived from parameters to the manager of the forward pass's input.
     *
     * @param derived the result of an operation whose first operand was a parameter
     * @param input the block's input, whose manager is the step's scope
     * @return {@code derived}, now owned by {@code input}'s manager
     */
    public static NDArray of(NDArray derived, NDArray input) {
        if (derived != null && derived.getManager() != input.getManager()) {
            derived.attach(input.getManager());
        }
        return derived;
    }
}

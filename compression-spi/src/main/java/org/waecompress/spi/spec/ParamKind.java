package org.waecompress.spi.spec;

/** What a parameter tensor is; decides whether it is trained, decayed and counted. */
public enum ParamKind {
    /** A weight matrix or convolution kernel: trained, weight-decayed, counted. */
    WEIGHT,
    /** An additive bias: trained, counted. */
    BIAS,
    /** Batch-norm scale (torchvision's {@code weight}): trained, counted. */
    BN_GAMMA,
    /** Batch-norm shift (torchvision's {@code bias}): trained, counted. */
    BN_BETA,
    /** Batch-norm running mean: a buffer, not trained and not counted as a parameter. */
    RUNNING_MEAN,
    /** Batch-norm running variance: a buffer, not trained and not counted as a parameter. */
    RUNNING_VAR;

    /**
     * Returns whether the tensor is learned by gradient descent (and counted in parameter totals).
     *
     * @return true for weights, biases and batch-norm affine parameters
     */
    public boolean trainable() {
        return this != RUNNING_MEAN && this != RUNNING_VAR;
    }

    /**
     * Returns whether the tensor is a bias-like parameter (biases and batch-norm parameters), which
     * the trainer may exempt from weight decay.
     *
     * @return true for biases and batch-norm tensors
     */
    public boolean biasLike() {
        return this != WEIGHT;
    }
}

package org.waecompress.spi.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * A training objective over a network's outputs; several outputs are allowed (WAE's block returns
 * logits, the reconstruction and I_H in training mode).
 */
@FunctionalInterface
public interface TrainLoss {

    /**
     * Computes the scalar loss of one batch.
     *
     * @param outputs the network's outputs in training mode
     * @param images the input batch
     * @param labels the labels (float32 class indices)
     * @param terms where to record named terms for logging
     * @return a scalar array to differentiate
     */
    NDArray compute(NDList outputs, NDArray images, NDArray labels, LossTerms terms);

    /**
     * Returns the softmax cross-entropy of the first output (the logits) against the labels,
     * averaged over the batch, recorded as the term {@code ce}.
     *
     * @return the loss
     */
    static TrainLoss crossEntropy() {
        return (outputs, images, labels, terms) -> {
            NDArray ce = crossEntropy(outputs.get(0), labels);
            terms.add("ce", ce.getFloat());
            return ce;
        };
    }

    /**
     * Computes the mean softmax cross-entropy of logits against class indices.
     *
     * @param logits {@code (N, classes)}
     * @param labels {@code (N)} class indices as floats
     * @return the scalar loss
     */
    static NDArray crossEntropy(NDArray logits, NDArray labels) {
        NDArray logp = logits.logSoftmax(1);
        NDArray picked = logp.get(new ai.djl.ndarray.index.NDIndex().addAllDim().addPickDim(
                labels.toType(ai.djl.ndarray.types.DataType.INT64, false)));
        return picked.mean().neg();
    }
}

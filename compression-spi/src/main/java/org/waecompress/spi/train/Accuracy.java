package org.waecompress.spi.train;

/**
 * Top-1 and top-5 error on a test set.
 *
 * @param top1Error the fraction of samples whose highest-scoring class is wrong
 * @param top5Error the fraction whose true class is not among the five highest (equals 0 when there
 *     are at most five classes)
 * @param samples the number of samples evaluated
 */
public record Accuracy(double top1Error, double top5Error, int samples) {

    /**
     * Returns the top-1 accuracy.
     *
     * @return {@code 1 - top1Error}
     */
    public double top1() {
        return 1 - top1Error;
    }
}

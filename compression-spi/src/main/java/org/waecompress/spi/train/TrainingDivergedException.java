package org.waecompress.spi.train;

import org.waecompress.spi.error.CompressionException;

/** The loss became NaN or infinite; training stopped. */
public class TrainingDivergedException extends CompressionException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param task what was being trained
     * @param epoch the epoch (1-based)
     * @param batch the batch within the epoch (1-based)
     * @param loss the bad loss value
     */
    public TrainingDivergedException(String task, int epoch, int batch, float loss) {
        super(task + ": loss became " + loss + " at epoch " + epoch + ", batch " + batch
                + "; lower the learning rate or check the input data for NaN/Inf values");
    }
}

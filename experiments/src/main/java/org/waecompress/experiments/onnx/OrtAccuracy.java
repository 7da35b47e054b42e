package org.waecompress.experiments.onnx;

import java.util.List;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.error.DataException;
import org.waecompress.spi.train.Accuracy;
import org.waecompress.spi.train.Evaluator;
import org.waecompress.spi.train.Progress;
import org.waecompress.spi.train.ProgressListener;

/**
 * Top-1 and top-5 error of an exported file on ONNX Runtime: the accuracy of the network as it deploys
 * (for an int8 network, ONNX Runtime's integer kernels rather than the PyTorch engine's simulation),
 * counted with the same rule as the PyTorch engine's {@link Evaluator}.
 */
public final class OrtAccuracy {

    private OrtAccuracy() {}

    /**
     * Evaluates a session on a test set.
     *
     * @param session the exported network's session
     * @param data the test images
     * @param batchSize images per run
     * @param task a description for progress
     * @param listener progress
     * @return the errors
     * @throws DataException if the images do not fit the network's input
     */
    public static Accuracy evaluate(OrtNetwork session, ImageDataset data, int batchSize, String task,
            ProgressListener listener) {
        int n = data.size();
        int per = (int) data.sampleShape().size();
        int wrong1 = 0;
        int wrong5 = 0;
        Progress progress = new Progress(listener == null ? ProgressListener.NONE : listener, task, n);
        for (int from = 0; from < n; from += batchSize) {
            org.waecompress.spi.error.StopRequest.check(task);
            int to = Math.min(n, from + batchSize);
            float[] x = new float[per * (to - from)];
            int[] labels = new int[to - from];
            for (int i = from; i < to; i++) {
                data.copyImage(i, x, (i - from) * per);
                labels[i - from] = data.label(i);
            }
            List<float[]> out = session.run(x, to - from);
            float[] logits = out.get(0);
            if (logits.length % (to - from) != 0) {
                throw new DataException(session.file() + ": gives " + logits.length + " values for " + (to - from)
                        + " images of " + data.name());
            }
            int[] w = Evaluator.countWrong(logits, logits.length / (to - from), labels);
            wrong1 += w[0];
            wrong5 += w[1];
            progress.step(to - from, "");
        }
        return new Accuracy(wrong1 / (double) n, wrong5 / (double) n, n);
    }
}

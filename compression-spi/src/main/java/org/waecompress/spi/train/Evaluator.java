package org.waecompress.spi.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;

/** Top-1 and top-5 error of a network on a data set, a batch at a time in the caller's scope. */
public final class Evaluator {

    private final ProgressListener listener;

    /**
     * Creates an evaluator.
     *
     * @param listener where progress goes (null: nowhere)
     */
    public Evaluator(ProgressListener listener) {
        this.listener = listener == null ? ProgressListener.NONE : listener;
    }

    /**
     * Evaluates top-1 and top-5 error.
     *
     * @param task a description for progress
     * @param network the network
     * @param data the test data
     * @param batchSize samples per forward pass
     * @return the errors
     * @throws org.waecompress.spi.DataException if the data's images or classes do not fit the network
     */
    public Accuracy evaluate(String task, Network network, ImageDataset data, int batchSize) {
        NetworkTrainer.checkShapes(network, data);
        try (NDManager base = Devices.newManager(); BuiltNetwork built = network.build(base)) {
            return evaluate(task, built, data, batchSize);
        }
    }

    /**
     * Evaluates a built network.
     *
     * @param task a description for progress
     * @param built the built network
     * @param data the test data
     * @param batchSize samples per forward pass
     * @return the errors
     */
    public Accuracy evaluate(String task, BuiltNetwork built, ImageDataset data, int batchSize) {
        int n = data.size();
        int wrong1 = 0;
        int wrong5 = 0;
        Progress progress = new Progress(listener, task, n);
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            int[] idx = new int[to - from];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = from + i;
            }
            try (NDManager sm = built.manager().newSubManager()) {
                NDList xy = data.batch(sm, idx);
                NDArray logits = built.predict(xy.get(0));
                int classes = (int) logits.getShape().get(1);
                float[] s = logits.toFloatArray();
                for (int i = 0; i < idx.length; i++) {
                    int label = data.label(idx[i]);
                    float own = s[i * classes + label];
                    int higher = 0;
                    for (int c = 0; c < classes; c++) {
                        float v = s[i * classes + c];
                        // Ties count against the sample, so a constant output cannot look accurate.
                        if (c != label && v >= own) {
                            higher++;
                        }
                    }
                    if (higher >= 1) {
                        wrong1++;
                    }
                    if (higher >= 5) {
                        wrong5++;
                    }
                }
            }
            progress.step(idx.length, "");
        }
        return new Accuracy(wrong1 / (double) n, wrong5 / (double) n, n);
    }
}

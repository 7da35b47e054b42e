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
     * @throws org.waecompress.spi.error.DataException if the data's images or classes do not fit the network
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
            org.waecompress.spi.error.StopRequest.check(task);
            int to = Math.min(n, from + batchSize);
            int[] idx = new int[to - from];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = from + i;
            }
            try (NDManager sm = built.manager().newSubManager()) {
                NDList xy = data.batch(sm, idx);
                NDArray logits = built.predict(xy.get(0));
                int[] labels = new int[idx.length];
                for (int i = 0; i < idx.length; i++) {
                    labels[i] = data.label(idx[i]);
                }
                int[] w = countWrong(logits.toFloatArray(), (int) logits.getShape().get(1), labels);
                wrong1 += w[0];
                wrong5 += w[1];
            }
            progress.step(idx.length, "");
        }
        return new Accuracy(wrong1 / (double) n, wrong5 / (double) n, n);
    }

    /**
     * Counts the top-1 and top-5 mistakes in a batch of scores: a sample is wrong at k when k other
     * classes score at least as high as its own (ties count against it, so a constant output cannot look
     * accurate). Every engine's evaluation counts with this one rule.
     *
     * @param scores the scores, sample by sample
     * @param classes classes per sample
     * @param labels the true class of each sample
     * @return {top-1 mistakes, top-5 mistakes}
     */
    public static int[] countWrong(float[] scores, int classes, int[] labels) {
        int wrong1 = 0;
        int wrong5 = 0;
        for (int i = 0; i < labels.length; i++) {
            float own = scores[i * classes + labels[i]];
            int higher = 0;
            for (int c = 0; c < classes; c++) {
                if (c != labels[i] && scores[i * classes + c] >= own) {
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
        return new int[] {wrong1, wrong5};
    }
}

package org.waecompress.spi.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * A labelled image data set, as strategies and the trainer see it: samples by index, turned into
 * batches on demand in the caller's manager.
 *
 * <p>Implementations keep their data on the Java side (or on disk), never in long-lived native
 * memory, so a loop over many batches does not grow.
 */
public interface ImageDataset {

    /**
     * Returns a short description (name, split, how many images).
     *
     * @return the description
     */
    String name();

    /**
     * Returns the number of samples.
     *
     * @return the size
     */
    int size();

    /**
     * Returns the shape of one image.
     *
     * @return {@code (C, H, W)}
     */
    Shape sampleShape();

    /**
     * Returns the number of classes.
     *
     * @return the class count
     */
    int numClasses();

    /**
     * Returns the class names, in label order.
     *
     * @return the names
     */
    List<String> classNames();

    /**
     * Returns the label of a sample.
     *
     * @param index the sample index
     * @return the label in {@code [0, numClasses)}
     */
    int label(int index);

    /**
     * Copies a sample's pixels (C-major, then rows) into {@code dst} at {@code offset}.
     *
     * @param index the sample index
     * @param dst the destination
     * @param offset where to write
     */
    void copyImage(int index, float[] dst, int offset);

    /**
     * Materialises a batch in {@code manager}: images {@code (N, C, H, W)} float32 and labels
     * {@code (N)} float32.
     *
     * @param manager the manager that will own the arrays (a per-step sub-manager)
     * @param indices the sample indices
     * @return the images and labels
     */
    default NDList batch(NDManager manager, int[] indices) {
        Shape s = sampleShape();
        int per = (int) s.size();
        float[] pixels = new float[per * indices.length];
        float[] labels = new float[indices.length];
        for (int i = 0; i < indices.length; i++) {
            copyImage(indices[i], pixels, i * per);
            labels[i] = label(indices[i]);
        }
        NDArray x = manager.create(FloatBuffer.wrap(pixels), new Shape(indices.length).addAll(s));
        NDArray y = manager.create(labels);
        return new NDList(x, y);
    }

    /**
     * Returns a view of some samples.
     *
     * @param indices the sample indices, in the order the view lists them
     * @param description what the subset is, for {@link #name()}
     * @return the view
     */
    default ImageDataset subset(int[] indices, String description) {
        ImageDataset parent = this;
        int[] idx = indices.clone();
        return new ImageDataset() {
            @Override
            public String name() {
                return parent.name() + " " + description;
            }

            @Override
            public int size() {
                return idx.length;
            }

            @Override
            public Shape sampleShape() {
                return parent.sampleShape();
            }

            @Override
            public int numClasses() {
                return parent.numClasses();
            }

            @Override
            public List<String> classNames() {
                return parent.classNames();
            }

            @Override
            public int label(int index) {
                return parent.label(idx[index]);
            }

            @Override
            public void copyImage(int index, float[] dst, int offset) {
                parent.copyImage(idx[index], dst, offset);
            }
        };
    }

    /**
     * Returns the first {@code n} samples (or all, if there are fewer).
     *
     * @param n the number of samples
     * @return the view
     */
    default ImageDataset head(int n) {
        if (n >= size()) {
            return this;
        }
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return subset(idx, "(first " + n + ")");
    }

    /**
     * Returns {@code count} samples drawn at random without replacement from a seed (a partial
     * Fisher-Yates shuffle: the first k samples of a larger draw with the same seed are the draw of k).
     *
     * @param count how many (all, if there are fewer)
     * @param seed the seed
     * @param description what the draw is, for {@link #name()}
     * @return the view
     */
    default ImageDataset sample(int count, long seed, String description) {
        int[] order = new int[size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        int k = Math.min(count, order.length);
        for (int i = 0; i < k; i++) {
            int j = i + rnd.nextInt(order.length - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return subset(java.util.Arrays.copyOf(order, k), description);
    }
}

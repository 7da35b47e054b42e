package org.waecompress.spi.data;

import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Objects;

/** An in-memory image data set: one float array of pixels and one int array of labels. */
public final class ArrayImageDataset implements ImageDataset {

    private final String name;
    private final float[] pixels;
    private final int[] labels;
    private final Shape sampleShape;
    private final int perSample;
    private final List<String> classNames;

    /**
     * Creates the data set (the arrays are not copied).
     *
     * @param name a description
     * @param pixels {@code N * C * H * W} pixel values
     * @param labels {@code N} labels
     * @param sampleShape the shape of one image
     * @param classNames the class names; their count is the number of classes
     */
    public ArrayImageDataset(String name, float[] pixels, int[] labels, Shape sampleShape, List<String> classNames) {
        this.name = Objects.requireNonNull(name);
        this.pixels = pixels;
        this.labels = labels;
        this.sampleShape = sampleShape;
        this.perSample = (int) sampleShape.size();
        this.classNames = List.copyOf(classNames);
        if ((long) labels.length * perSample != pixels.length) {
            throw new IllegalArgumentException(name + ": " + labels.length + " labels but " + pixels.length
                    + " pixels for images of shape " + sampleShape);
        }
        for (int l : labels) {
            if (l < 0 || l >= classNames.size()) {
                throw new IllegalArgumentException(name + ": label " + l + " outside [0, " + classNames.size() + ")");
            }
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public Shape sampleShape() {
        return sampleShape;
    }

    @Override
    public int numClasses() {
        return classNames.size();
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    @Override
    public void copyImage(int index, float[] dst, int offset) {
        System.arraycopy(pixels, index * perSample, dst, offset, perSample);
    }
}

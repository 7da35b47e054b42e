package org.waecompress.experiments.data;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.util.NDImageUtils;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Transform;

/**
 * Resizes an image (HWC) so that its shorter side has a given length, keeping the aspect ratio (the longer
 * side rounds down), with bilinear interpolation: what DJL 0.36's {@code ResizeShort(edge)} does. DJL 0.25,
 * the engine of the {@code torch20} and {@code cu118} builds, has no such transform, so both builds use this
 * one.
 */
final class ShortSideResize implements Transform {

    private final int edge;

    /**
     * Creates the transform.
     *
     * @param edge the length of the shorter side after resizing
     */
    ShortSideResize(int edge) {
        if (edge < 1) {
            throw new IllegalArgumentException("the shorter side must be >= 1 pixel, got " + edge);
        }
        this.edge = edge;
    }

    /**
     * Returns the output size of an image of the given size.
     *
     * @param height the input height
     * @param width the input width
     * @return {height, width} after resizing
     */
    int[] outputSize(int height, int width) {
        int shortSide = Math.min(height, width);
        int longSide = Math.max(height, width);
        int newLong = longSide * edge / shortSide;
        return width > height ? new int[] {edge, newLong} : new int[] {newLong, edge};
    }

    @Override
    public NDArray transform(NDArray array) {
        Shape s = array.getShape();
        int[] hw = outputSize((int) s.get(0), (int) s.get(1));
        return NDImageUtils.resize(array, hw[1], hw[0], Image.Interpolation.BILINEAR);
    }
}

package org.waecompress.spi.spec;

/**
 * A pair of (height, width) integers: kernel size, stride or padding of a 2-D operation.
 *
 * <p>In JSON a square pair is written as one number, any other as {@code [h, w]}.
 *
 * @param h the height component
 * @param w the width component
 */
public record HeightWidth(int h, int w) {

    /**
     * Returns a square pair.
     *
     * @param v both components
     * @return the pair
     */
    public static HeightWidth of(int v) {
        return new HeightWidth(v, v);
    }

    /**
     * Checks a node's kernel, stride and padding: kernel and stride at least 1, padding at least 0.
     *
     * @param node the node's type and name, for the message
     * @param kernel the kernel
     * @param stride the stride
     * @param padding the padding
     * @throws SpecException naming the node and the field
     */
    public static void check(String node, HeightWidth kernel, HeightWidth stride, HeightWidth padding) {
        if (kernel.h() < 1 || kernel.w() < 1) {
            throw new SpecException(node + ": kernel " + kernel + " must be at least 1");
        }
        if (stride.h() < 1 || stride.w() < 1) {
            throw new SpecException(node + ": stride " + stride + " must be at least 1");
        }
        if (padding.h() < 0 || padding.w() < 0) {
            throw new SpecException(node + ": padding " + padding + " must be at least 0");
        }
    }

    /**
     * Names a node in messages: its type, and its name when it has one.
     *
     * @param type the node type
     * @param name the name, or null
     * @return e.g. {@code conv features.0} or {@code conv}
     */
    static String label(String type, String name) {
        return name == null || name.isEmpty() ? type : type + " " + name;
    }

    /**
     * Returns whether both components are equal.
     *
     * @return true if square
     */
    public boolean square() {
        return h == w;
    }

    /**
     * Returns the pair as {@code {h, w}}, for blocks that take plain arrays.
     *
     * @return a new array
     */
    public int[] toArray() {
        return new int[] {h, w};
    }

    @Override
    public String toString() {
        return square() ? Integer.toString(h) : h + "x" + w;
    }
}

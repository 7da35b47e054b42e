package org.waecompress.spi.spec;

/**
 * A pair of (height, width) integers: kernel size, stride or padding of a 2-D operation.
 *
 * <p>In JSON a square pair is written as one number, any other as {@code [h, w]}.
 *
 * @param h the height component
 * @param w the width component
 */
public record Hw(int h, int w) {

    /**
     * Returns a square pair.
     *
     * @param v both components
     * @return the pair
     */
    public static Hw of(int v) {
        return new Hw(v, v);
    }

    /**
     * Returns whether both components are equal.
     *
     * @return true if square
     */
    public boolean square() {
        return h == w;
    }

    @Override
    public String toString() {
        return square() ? Integer.toString(h) : h + "x" + w;
    }
}

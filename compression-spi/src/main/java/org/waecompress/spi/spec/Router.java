package org.waecompress.spi.spec;

import ai.djl.ndarray.types.Shape;

/** Visits the children of a composite node during {@link LayerSpec#route}. */
public interface Router {

    /**
     * Routes a shape through child {@code index} of the node being visited.
     *
     * @param index the child's index in {@link LayerSpec#children()}
     * @param in the child's input shape
     * @return the child's output shape
     */
    Shape child(int index, Shape in);

    /**
     * Returns the path of the node being visited (empty for the root).
     *
     * @return the dotted path
     */
    String path();

    /**
     * Creates the error for an input that does not fit, naming the node path and both shapes.
     *
     * @param what what disagrees, for example "input channels"
     * @param expected the shape or value the node expects
     * @param actual the shape or value it receives
     * @return the exception to throw
     */
    default SpecException mismatch(String what, Object expected, Object actual) {
        String p = path().isEmpty() ? "(root)" : path();
        return new SpecException(p + ": " + what + " mismatch: expected " + expected + " but got " + actual);
    }
}

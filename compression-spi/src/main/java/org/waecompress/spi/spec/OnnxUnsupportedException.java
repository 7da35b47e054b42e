package org.waecompress.spi.spec;

/**
 * A network cannot be exported to ONNX because one of its node types has no {@link
 * LayerSpec#toOnnx} lowering; the message names the type, its class and the node's path.
 */
public final class OnnxUnsupportedException extends SpecException {

    private static final long serialVersionUID = 1L;

    /** The node type tag. */
    private final String nodeType;

    /**
     * Creates the exception.
     *
     * @param node the node without a lowering
     * @param path its path
     */
    public OnnxUnsupportedException(LayerSpec node, String path) {
        super("node type '" + node.type() + "' (" + node.getClass().getName() + ", at "
                + (path.isEmpty() ? "the root" : path) + ") has no ONNX lowering: implement LayerSpec.toOnnx to "
                + "export it (docs/adding-a-strategy.md)");
        this.nodeType = node.type();
    }

    /**
     * Returns the type tag of the node that has no lowering.
     *
     * @return the type tag
     */
    public String nodeType() {
        return nodeType;
    }
}

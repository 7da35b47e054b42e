package org.waecompress.spi.spec;

import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Walks a spec tree with concrete shapes, using each node's {@link LayerSpec#route} for the data
 * flow, and reports every node with its path and shapes.
 *
 * <p>This is the one place that defines node paths: a child's path is its parent's path plus its
 * name, or its index if unnamed; an empty name adds nothing.
 */
public final class SpecTraversal {

    /** Receives each visited node, parents before children (pre-order on entry). */
    @FunctionalInterface
    public interface Visitor {
        /**
         * Called once per node after its output shape is known.
         *
         * @param path the node's dotted path
         * @param node the node
         * @param in its input shape
         * @param out its output shape
         */
        void visit(String path, LayerSpec node, Shape in, Shape out);
    }

    /**
     * One visited node, as recorded by {@link #nodes}.
     *
     * @param path the dotted path
     * @param node the node
     * @param in its input shape
     * @param out its output shape
     * @param depth its depth in the tree (root = 0)
     */
    public record Visited(String path, LayerSpec node, Shape in, Shape out, int depth) {}

    private SpecTraversal() {}

    /**
     * Returns the path segment a child contributes.
     *
     * @param parentPath the parent's path
     * @param child the child
     * @param index its index in the parent
     * @return the child's full path
     */
    public static String childPath(String parentPath, LayerSpec child, int index) {
        String seg = child.name() == null ? Integer.toString(index) : child.name();
        if (seg.isEmpty()) {
            return parentPath;
        }
        return parentPath.isEmpty() ? seg : parentPath + "." + seg;
    }

    /**
     * Joins a node path and a local parameter name.
     *
     * @param path the node's path
     * @param local the local name
     * @return the full parameter name
     */
    public static String paramName(String path, String local) {
        return path.isEmpty() ? local : path + "." + local;
    }

    /**
     * Walks the tree, returning the root's output shape.
     *
     * @param root the root node
     * @param rootPath the root's path (usually empty)
     * @param in the input shape
     * @param visitor receives every node, children before parents
     * @return the output shape
     * @throws SpecException if a node rejects its input
     */
    public static Shape walk(LayerSpec root, String rootPath, Shape in, Visitor visitor) {
        return walk(root, rootPath, in, visitor, 0, new ArrayList<>());
    }

    /**
     * Returns every node in pre-order (a parent before its children) with its shapes.
     *
     * @param root the root node
     * @param in the input shape
     * @return the visited nodes
     */
    public static List<Visited> nodes(LayerSpec root, Shape in) {
        List<Visited> out = new ArrayList<>();
        walk(root, "", in, null, 0, out);
        return out;
    }

    private static Shape walk(LayerSpec node, String path, Shape in, Visitor visitor, int depth,
            List<Visited> record) {
        int slot = record.size();
        record.add(null);
        Shape out = node.route(in, new Router() {
            @Override
            public Shape child(int index, Shape childIn) {
                List<LayerSpec> children = node.children();
                if (index < 0 || index >= children.size()) {
                    throw new SpecException((path.isEmpty() ? "(root)" : path) + ": " + node.type()
                            + " has no child " + index);
                }
                LayerSpec c = children.get(index);
                return walk(c, childPath(path, c, index), childIn, visitor, depth + 1, record);
            }

            @Override
            public String path() {
                return path;
            }
        });
        record.set(slot, new Visited(path, node, in, out, depth));
        if (visitor != null) {
            visitor.visit(path, node, in, out);
        }
        return out;
    }
}

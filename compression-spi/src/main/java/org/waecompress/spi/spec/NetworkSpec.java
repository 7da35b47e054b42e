package org.waecompress.spi.spec;

import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A network as data: a tree of {@link LayerSpec} nodes and the input shape it is defined for.
 *
 * <p>Construction infers every node's shapes and rejects an inconsistent tree with a {@link
 * SpecException} naming the node path and the two shapes that disagree. Parameter names are unique
 * dotted paths (torchvision's naming for the backbones).
 *
 * @param name a human-readable name (for example {@code vgg16})
 * @param inputShape the input shape without batch dimension, {@code (C, H, W)}
 * @param root the root node
 */
public record NetworkSpec(String name, Shape inputShape, LayerSpec root) {

    /** Validates the tree. */
    public NetworkSpec {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(inputShape, "inputShape");
        name = name == null ? "network" : name;
        for (long dim : inputShape.getShape()) {
            if (dim < 1 || dim > MAX_INPUT_DIM) {
                throw new SpecException(name + ": input " + inputShape + " has a dimension of " + dim
                        + "; each must be in [1, " + MAX_INPUT_DIM + "] (channels, height, width of one image)");
            }
        }
        Set<String> seen = new HashSet<>();
        SpecTraversal.walk(root, "", inputShape, (path, node, in, out) -> {
            for (ParamDef p : node.params(in)) {
                String full = SpecTraversal.paramName(path, p.name());
                if (!seen.add(full)) {
                    throw new SpecException(full + ": two parameters have this name; give the nodes distinct names");
                }
            }
        });
    }

    /** The largest input dimension a spec takes (channels, height or width of one image). */
    public static final long MAX_INPUT_DIM = 65_536;

    /**
     * Returns the output shape for one sample.
     *
     * @return the output shape
     */
    public Shape outputShape() {
        return SpecTraversal.walk(root, "", inputShape, (p, n, i, o) -> { });
    }

    /**
     * Returns the expected parameter tensors, in build order, keyed by full name.
     *
     * @return the parameters
     */
    public Map<String, ParamDef> parameters() {
        Map<String, ParamDef> out = new LinkedHashMap<>();
        for (SpecTraversal.Visited v : SpecTraversal.nodes(root, inputShape)) {
            for (ParamDef p : v.node().params(v.in())) {
                out.put(SpecTraversal.paramName(v.path(), p.name()), p);
            }
        }
        return out;
    }

    /**
     * Returns every node with its path and shapes, parents first.
     *
     * @return the nodes
     */
    public List<SpecTraversal.Visited> nodes() {
        return SpecTraversal.nodes(root, inputShape);
    }

    /**
     * Returns a copy of this spec for another input shape (shapes are re-inferred).
     *
     * @param shape the new input shape
     * @return the spec
     * @throws SpecException if the tree does not accept that shape
     */
    public NetworkSpec withInputShape(Shape shape) {
        return new NetworkSpec(name, shape, root);
    }

    /**
     * Returns a copy with another name.
     *
     * @param newName the name
     * @return the spec
     */
    public NetworkSpec withName(String newName) {
        return new NetworkSpec(newName, inputShape, root);
    }

    /**
     * Finds a node by its path.
     *
     * @param path the dotted path
     * @return the node
     * @throws SpecException if there is none, listing a few known paths
     */
    public LayerSpec node(String path) {
        List<String> known = new ArrayList<>();
        for (SpecTraversal.Visited v : nodes()) {
            if (v.path().equals(path)) {
                return v.node();
            }
            known.add(v.path());
        }
        throw new SpecException("no node at path '" + path + "' in " + name + "; paths include "
                + String.join(", ", known.subList(0, Math.min(12, known.size()))));
    }
}

package org.waecompress.spi.spec;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.List;

/**
 * One node of a {@link NetworkSpec} tree: a layer (conv, batch-norm, linear, ...) or a composite
 * (sequential, residual, concat, or a node type a plugin adds).
 *
 * <p>Nodes are immutable values. Shapes here never include the batch dimension: an image tensor is
 * {@code (C, H, W)}, a feature vector {@code (F)}.
 *
 * <p><b>Names and paths.</b> A node's path is its parent's path, a dot, and its {@linkplain #name()
 * name}; a {@code null} name stands for the node's index in its parent, and an empty name makes the
 * node transparent (its children sit directly under the parent's path). With these rules the
 * backbones reproduce torchvision's parameter names, for example {@code features.0.weight} or
 * {@code layer1.0.downsample.1.running_mean}.
 *
 * <p><b>Plugins</b> add node types by implementing this interface as a record and registering it
 * through a {@link NodeTypeProvider}; such nodes then round-trip through JSON, are costed and built
 * like the built-in ones, and export to ONNX when they implement {@link #toOnnx}.
 */
public interface LayerSpec {

    /**
     * Returns the JSON type tag of this node ({@code conv}, {@code linear}, ...).
     *
     * @return the type tag, unique among registered node types
     */
    String type();

    /**
     * Returns the node's name: {@code null} for its index in the parent, empty for transparent.
     *
     * @return the name or null
     */
    String name();

    /**
     * Returns the child nodes of a composite node, in order; empty for a leaf.
     *
     * @return the children
     */
    default List<LayerSpec> children() {
        return List.of();
    }

    /**
     * Returns a copy of this composite with other children (same count and roles).
     *
     * @param children the new children
     * @return the new node
     */
    default LayerSpec withChildren(List<LayerSpec> children) {
        if (!children.isEmpty()) {
            throw new UnsupportedOperationException(type() + " has no children");
        }
        return this;
    }

    /**
     * Computes the output shape from the input shape, visiting children through {@code router}.
     *
     * <p>A leaf checks that the input fits (else throws {@link SpecException} via {@link
     * Router#mismatch}) and returns its output shape. A composite routes shapes through its children
     * with {@link Router#child(int, Shape)} and combines their outputs; this one method defines how
     * data flows through the composite for shape inference, cost, parameter naming and rewriting.
     *
     * @param in the input shape, without batch dimension
     * @param router visits children
     * @return the output shape, without batch dimension
     */
    Shape route(Shape in, Router router);

    /**
     * Returns the parameter tensors this node owns directly (not its children's).
     *
     * @param in the node's input shape
     * @return the parameters, in a fixed order
     */
    default List<ParamDef> params(Shape in) {
        return List.of();
    }

    /**
     * Returns the multiply-accumulates this node performs directly for one sample.
     *
     * <p>Only convolutions (including transposed ones) and linear layers count; element-wise
     * operations, pooling and normalisation are free in this cost model.
     *
     * @param in the input shape
     * @param out the output shape
     * @return the MAC count
     */
    default long macs(Shape in, Shape out) {
        return 0;
    }

    /**
     * Returns a copy of this leaf that accepts {@code channels} input channels (or features).
     *
     * <p>Used by rewrites (width scaling, pruning) that change a producer's output count: each
     * consumer is adapted to what it now receives. Composites never receive this call.
     *
     * @param in the actual input shape
     * @return the adapted node
     */
    default LayerSpec withInput(Shape in) {
        return this;
    }

    /**
     * Builds the DJL block that computes this node.
     *
     * @param in the input shape
     * @param ctx registers parameters and builds children
     * @return a new, uninitialised block
     */
    Block build(Shape in, BuildContext ctx);

    /**
     * Says how this node takes part in int8 quantization. The default, {@link QuantRole#FLOAT}, keeps a
     * node float between quantized neighbours (it reads dequantized values and its output is quantized
     * again), so a node type that says nothing never stops a network from being quantized.
     *
     * @return the node's role
     */
    default QuantRole quantRole() {
        return QuantRole.FLOAT;
    }

    /**
     * Returns the int8 form of a {@link QuantRole#WEIGHTED} node: the same parameters under the same
     * names, computed with int8 weights (symmetric, one scale per output channel) and an int32 bias
     * whose scale is the input's scale times the weight's. Built-in convolutions and linear layers
     * return an {@link Int8Spec}; a plugin's weighted node type returns its own.
     *
     * @param inputScale the scale of the uint8 input this node reads
     * @return the quantized node
     * @throws UnsupportedOperationException for a node that is not weighted
     */
    default LayerSpec withInt8Weights(float inputScale) {
        throw new UnsupportedOperationException(type() + " has no int8 form");
    }

    /**
     * Lowers this node to ONNX operators, for inference (dropout is the identity, batch-norm uses its
     * running statistics, training-only parts such as WAE's decoder are left out).
     *
     * <p>A leaf adds its operators through {@code ctx.op(...)} with its parameters from {@code
     * ctx.param(...)}; a composite lowers its children with {@link OnnxContext#child} and combines
     * their values, following the same data flow as {@link #route}. The exported graph must compute
     * what {@link #build} computes in inference mode: the project's equivalence tests compare ONNX
     * Runtime's output with the PyTorch engine's for every node type.
     *
     * <p>The default throws {@link OnnxUnsupportedException} naming the type: a network containing
     * such a node cannot be exported, and a run times it on the PyTorch engine instead.
     *
     * @param input the value this node reads
     * @param in its shape, without batch
     * @param ctx the graph being built
     * @return the value this node produces
     */
    default String toOnnx(String input, Shape in, OnnxContext ctx) {
        throw new OnnxUnsupportedException(this, ctx.path());
    }
}

package org.waecompress.spi.network;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.waecompress.spi.spec.BuildContext;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.ParamDef;
import org.waecompress.spi.spec.SpecException;
import org.waecompress.spi.spec.SpecTraversal;

/**
 * A DJL block built from a {@link NetworkSpec}, with its parameters indexed by full name.
 *
 * <p>The block and its parameter arrays live in this object's own manager: close it when done.
 * Blocks are never edited in place; a changed spec is built anew.
 */
public final class BuiltNetwork implements AutoCloseable {

    private final NetworkSpec spec;
    private final Block block;
    private final NDManager manager;
    private final Map<String, Parameter> parameters;
    private final Map<String, ParamDef> defs;
    private final List<Constant> constants;

    record Constant(Parameter parameter, Shape shape, float value) {}

    private BuiltNetwork(NetworkSpec spec, Block block, NDManager manager, Map<String, Parameter> parameters,
            List<Constant> constants) {
        this.spec = spec;
        this.block = block;
        this.manager = manager;
        this.parameters = Collections.unmodifiableMap(parameters);
        this.defs = spec.parameters();
        this.constants = constants;
    }

    /**
     * Builds the (uninitialised) block for a spec.
     *
     * @param spec the spec
     * @param parent the manager the block's own manager is created under
     * @return the built network; its parameters have no arrays yet
     */
    static BuiltNetwork create(NetworkSpec spec, NDManager parent) {
        Map<String, Parameter> params = new LinkedHashMap<>();
        List<Constant> constants = new ArrayList<>();
        Block block = new Builder(spec.root(), "", spec.inputShape(), params, constants)
                .build();
        Map<String, ParamDef> expected = spec.parameters();
        if (!expected.keySet().equals(params.keySet())) {
            throw new SpecException("node types registered parameters " + params.keySet()
                    + " but declared " + expected.keySet());
        }
        return new BuiltNetwork(spec, block, parent.newSubManager(), params, constants);
    }

    /** Builds a node and its children, recording parameters under their full names. */
    private static final class Builder implements BuildContext {
        private final LayerSpec node;
        private final String path;
        private final Shape in;
        private final Shape out;
        private final Map<String, Parameter> params;
        private final List<Constant> constants;

        Builder(LayerSpec node, String path, Shape in, Map<String, Parameter> params, List<Constant> constants) {
            this.node = node;
            this.path = path;
            this.in = in;
            this.out = SpecTraversal.walk(node, path, in, (p, n, i, o) -> { });
            this.params = params;
            this.constants = constants;
        }

        Block build() {
            return node.build(in, this);
        }

        @Override
        public Block child(int index, Shape childIn) {
            LayerSpec c = node.children().get(index);
            return new Builder(c, SpecTraversal.childPath(path, c, index), childIn, params, constants).build();
        }

        @Override
        public Shape shapeOf(int index, Shape childIn) {
            LayerSpec c = node.children().get(index);
            return SpecTraversal.walk(c, SpecTraversal.childPath(path, c, index), childIn, (p, n, i, o) -> { });
        }

        @Override
        public Shape outShape() {
            return out;
        }

        @Override
        public void register(String localName, Parameter parameter) {
            params.put(SpecTraversal.paramName(path, localName), parameter);
        }

        @Override
        public void constant(Parameter parameter, Shape shape, float value) {
            constants.add(new Constant(parameter, shape, value));
        }
    }

    /**
     * Gives every parameter its array (copies of {@code weights}) and initialises the block.
     *
     * @param weights arrays by full name; must hold every parameter
     */
    void load(Map<String, NDArray> weights) {
        for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
            NDArray w = weights.get(e.getKey());
            // a replica on another device (data-parallel training) gets its own copy there
            NDArray copy = w.getDevice().equals(manager.getDevice()) ? w.duplicate()
                    : w.toDevice(manager.getDevice(), true);
            copy.attach(manager);
            e.getValue().setArray(copy);
        }
        setConstants();
        block.initialize(manager, DataType.FLOAT32, batchInputShape(1));
    }

    /**
     * Initialises the block with the parameters' default initialisers (fresh random weights); the
     * constant parameters get their defaults (scale one, shift zero) from those initialisers too.
     */
    void initializeRandom() {
        block.initialize(manager, DataType.FLOAT32, batchInputShape(1));
    }

    private void setConstants() {
        for (Constant c : constants) {
            c.parameter().setArray(manager.full(c.shape(), c.value()));
        }
    }

    /**
     * Returns the input shape with a batch dimension.
     *
     * @param batch the batch size
     * @return {@code (batch, C, H, W)}
     */
    public Shape batchInputShape(int batch) {
        return new Shape(batch).addAll(spec.inputShape());
    }

    /**
     * Runs the network.
     *
     * @param input the input batch
     * @param training whether to run in training mode (dropout, batch statistics)
     * @return the outputs; the first is the logits
     */
    public NDList forward(NDList input, boolean training) {
        return block.forward(new ParameterStore(manager, false), input, training);
    }

    /**
     * Runs the network in inference mode on one input array.
     *
     * @param input the input batch
     * @return the first output (the logits)
     */
    public NDArray predict(NDArray input) {
        return forward(new NDList(input), false).head();
    }

    /**
     * Returns the DJL block.
     *
     * @return the block
     */
    public Block block() {
        return block;
    }

    /**
     * Returns the spec the block was built from.
     *
     * @return the spec
     */
    public NetworkSpec spec() {
        return spec;
    }

    /**
     * Returns the block's manager, which owns its parameters.
     *
     * @return the manager
     */
    public NDManager manager() {
        return manager;
    }

    /**
     * Returns the block's parameters by full name.
     *
     * @return the parameters, in spec order
     */
    public Map<String, Parameter> parameters() {
        return parameters;
    }

    /**
     * Returns what the spec declares for each parameter.
     *
     * @return the declarations by full name
     */
    public Map<String, ParamDef> parameterDefs() {
        return defs;
    }

    @Override
    public void close() {
        manager.close();
    }
}

package org.waecompress.baselines.taylor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;
import java.util.Map;
import org.waecompress.spi.nn.StepScope;
import org.waecompress.spi.spec.BuildContext;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.NodeTypeProvider;
import org.waecompress.spi.spec.OnnxContext;
import org.waecompress.spi.spec.OnnxUnsupportedException;
import org.waecompress.spi.spec.ParamDef;
import org.waecompress.spi.spec.ParamKind;
import org.waecompress.spi.spec.Router;

/**
 * A multiplicative gate {@code y = x * g} (type {@code channelGate}), inserted with {@code g = 1} to
 * read the Taylor criterion (DJL keeps no gradients of intermediate tensors, a parameter's gradient it
 * does keep). With {@code batch = 0} there is one gate per channel and {@code dL/dg_c = sum_{n,h,w} x
 * dL/dy}; with {@code batch = N} there is one per example and channel (the batch must have N images)
 * and {@code dL/dg_{n,c} = sum_{h,w} x dL/dy}, what the criterion needs per example.
 *
 * @param name the node name
 * @param channels the number of channels
 * @param batch the batch size of a per-example gate, or 0 for a per-channel one
 */
public record ChannelGate(String name, int channels, int batch) implements LayerSpec {

    /**
     * A per-channel gate.
     *
     * @param name the node name
     * @param channels the number of channels
     */
    public ChannelGate(String name, int channels) {
        this(name, channels, 0);
    }

    @Override
    public String type() {
        return "channelGate";
    }

    @Override
    public Shape route(Shape in, Router r) {
        if (in.dimension() != 3 || in.get(0) != channels) {
            throw r.mismatch("gate channels", "(" + channels + ", H, W)", in);
        }
        return in;
    }

    @Override
    public List<ParamDef> params(Shape in) {
        return List.of(new ParamDef("weight", batch == 0 ? new Shape(channels) : new Shape(batch, channels),
                ParamKind.WEIGHT));
    }

    @Override
    public LayerSpec withInput(Shape in) {
        return new ChannelGate(name, (int) in.get(0), batch);
    }

    @Override
    public Block build(Shape in, BuildContext ctx) {
        GateBlock b = new GateBlock(channels, batch);
        ctx.register("weight", b.gate);
        return b;
    }

    @Override
    public String toOnnx(String x, Shape in, OnnxContext ctx) {
        if (batch != 0) {
            throw new OnnxUnsupportedException(this, ctx.path());
        }
        return ctx.op("Mul").in(x, ctx.param("weight", channels, 1, 1)).out();
    }

    /** The gate's block. */
    static final class GateBlock extends AbstractBlock {
        private final int channels;
        private final int batch;
        private final Parameter gate;

        GateBlock(int channels, int batch) {
            this.channels = channels;
            this.batch = batch;
            gate = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.GAMMA).build());
        }

        @Override
        protected void prepare(Shape[] inputShapes) {
            gate.setShape(batch == 0 ? new Shape(channels) : new Shape(batch, channels));
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            NDArray g = ps.getValue(gate, x.getDevice(), training);
            return new NDList(x.mul(StepScope.of(g.reshape(batch == 0 ? 1 : batch, channels, 1, 1), x)));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return inputShapes;
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            // no children
        }
    }

    /** Registers the node type. */
    public static final class Provider implements NodeTypeProvider {
        @Override
        public Map<String, Class<? extends LayerSpec>> nodeTypes() {
            return Map.of("channelGate", ChannelGate.class);
        }
    }
}

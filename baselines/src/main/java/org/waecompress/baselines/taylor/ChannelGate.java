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
import org.waecompress.spi.spec.ParamDef;
import org.waecompress.spi.spec.ParamKind;
import org.waecompress.spi.spec.Router;

/**
 * A per-channel multiplicative gate {@code y = x * g} (type {@code channelGate}), inserted with
 * {@code g = 1} to read the Taylor criterion: {@code dL/dg_c = sum_{n,h,w} x dL/dy}, the
 * activation-times-gradient sum of channel c (DJL keeps no gradients of intermediate tensors, a
 * parameter's gradient it does keep).
 *
 * @param name the node name
 * @param channels the number of channels
 */
public record ChannelGate(String name, int channels) implements LayerSpec {

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
        return List.of(new ParamDef("weight", new Shape(channels), ParamKind.WEIGHT));
    }

    @Override
    public LayerSpec withInput(Shape in) {
        return new ChannelGate(name, (int) in.get(0));
    }

    @Override
    public Block build(Shape in, BuildContext ctx) {
        GateBlock b = new GateBlock(channels);
        ctx.register("weight", b.gate);
        return b;
    }

    @Override
    public String toOnnx(String x, Shape in, OnnxContext ctx) {
        return ctx.op("Mul").in(x, ctx.param("weight", channels, 1, 1)).out();
    }

    /** The gate's block. */
    static final class GateBlock extends AbstractBlock {
        private final int channels;
        private final Parameter gate;

        GateBlock(int channels) {
            this.channels = channels;
            gate = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.GAMMA).build());
        }

        @Override
        protected void prepare(Shape[] inputShapes) {
            gate.setShape(new Shape(channels));
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            NDArray g = ps.getValue(gate, x.getDevice(), training);
            return new NDList(x.mul(StepScope.of(g.reshape(1, channels, 1, 1), x)));
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

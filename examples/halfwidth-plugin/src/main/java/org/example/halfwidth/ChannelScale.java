package org.example.halfwidth;

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
 * The plugin's own node type, {@code y = x * s} with one learnable {@code s} per channel (type tag
 * {@code channelScale}): its data flow ({@link #route}), its parameter, its block and its ONNX lowering.
 * {@link Provider} registers it, listed in
 * {@code META-INF/services/org.waecompress.spi.spec.NodeTypeProvider}, so networks that hold it save,
 * reload, cost, train, export and prune like networks of built-in nodes.
 *
 * @param name the node name
 * @param channels the number of channels
 */
public record ChannelScale(String name, int channels) implements LayerSpec {

    @Override
    public String type() {
        return "channelScale";
    }

    @Override
    public Shape route(Shape in, Router r) {
        if (in.dimension() != 3 || in.get(0) != channels) {
            throw r.mismatch("scale channels", "(" + channels + ", H, W)", in);
        }
        return in;
    }

    @Override
    public List<ParamDef> params(Shape in) {
        return List.of(new ParamDef("weight", new Shape(channels), ParamKind.WEIGHT));
    }

    @Override
    public LayerSpec withInput(Shape in) {
        return new ChannelScale(name, (int) in.get(0));
    }

    @Override
    public Block build(Shape in, BuildContext ctx) {
        ScaleBlock b = new ScaleBlock(channels);
        ctx.register("weight", b.scale);
        return b;
    }

    @Override
    public String toOnnx(String x, Shape in, OnnxContext ctx) {
        return ctx.op("Mul").in(x, ctx.param("weight", channels, 1, 1)).out();
    }

    /** The node's block: multiplies each channel by its parameter. */
    static final class ScaleBlock extends AbstractBlock {
        private final int channels;
        private final Parameter scale;

        ScaleBlock(int channels) {
            this.channels = channels;
            scale = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.GAMMA).build());
        }

        @Override
        protected void prepare(Shape[] inputShapes) {
            scale.setShape(new Shape(channels));
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            NDArray s = ps.getValue(scale, x.getDevice(), training);
            // a tensor computed from a parameter goes through StepScope, or it stays until the network closes
            return new NDList(x.mul(StepScope.of(s.reshape(1, channels, 1, 1), x)));
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

    /** Registers the node type under its tag. */
    public static final class Provider implements NodeTypeProvider {
        @Override
        public Map<String, Class<? extends LayerSpec>> nodeTypes() {
            return Map.of("channelScale", ChannelScale.class);
        }
    }
}

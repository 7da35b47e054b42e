package org.waecompress.spi.spec;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.norm.BatchNorm;
import java.util.ArrayList;
import java.util.List;

/**
 * Batch normalisation over the channel axis (torchvision {@code BatchNormSpec}/{@code BatchNorm1d}).
 *
 * @param name the node name
 * @param channels the number of channels (or features)
 * @param affine whether it learns a scale and shift
 * @param eps the variance epsilon
 * @param momentum torchvision's momentum: the weight of the new batch in the running statistics
 */
public record BatchNormSpec(String name, int channels, boolean affine, double eps, double momentum)
        implements LayerSpec {

    /** Validates the record. */
    public BatchNormSpec {
        eps = eps == 0 ? 1e-5 : eps;
        momentum = momentum == 0 ? 0.1 : momentum;
        if (channels < 1) {
            throw new SpecException("batchNorm " + name + ": channels must be positive");
        }
    }

    /**
     * Returns an affine batch-norm with torchvision's defaults.
     *
     * @param name the name
     * @param channels the channel count
     * @return the node
     */
    public static BatchNormSpec of(String name, int channels) {
        return new BatchNormSpec(name, channels, true, 1e-5, 0.1);
    }

    @Override
    public String type() {
        return "batchNorm";
    }

    @Override
    public Shape route(Shape in, Router r) {
        if (in.dimension() < 1 || in.get(0) != channels) {
            throw r.mismatch("batchNorm channels", "(" + channels + ", ...)", in);
        }
        return in;
    }

    @Override
    public List<ParamDef> params(Shape in) {
        List<ParamDef> p = new ArrayList<>();
        Shape s = new Shape(channels);
        if (affine) {
            p.add(new ParamDef("weight", s, ParamKind.BN_GAMMA));
            p.add(new ParamDef("bias", s, ParamKind.BN_BETA));
        }
        p.add(new ParamDef("running_mean", s, ParamKind.RUNNING_MEAN));
        p.add(new ParamDef("running_var", s, ParamKind.RUNNING_VAR));
        return p;
    }

    @Override
    public LayerSpec withInput(Shape in) {
        return new BatchNormSpec(name, (int) in.get(0), affine, eps, momentum);
    }

    @Override
    public Block build(Shape in, BuildContext ctx) {
        BatchNorm bn = BatchNorm.builder()
                .optEpsilon((float) eps)
                .optMomentum((float) (1 - momentum))
                .optScale(affine)
                .optCenter(affine)
                .build();
        var p = bn.getParameters();
        if (affine) {
            ctx.register("weight", p.get("gamma"));
            ctx.register("bias", p.get("beta"));
        } else {
            ctx.constant(p.get("gamma"), new Shape(channels), 1f);
            ctx.constant(p.get("beta"), new Shape(channels), 0f);
        }
        ctx.register("running_mean", p.get("runningMean"));
        ctx.register("running_var", p.get("runningVar"));
        return bn;
    }

    @Override
    public String toOnnx(String x, Shape in, OnnxContext ctx) {
        String scale;
        String shift;
        if (affine) {
            scale = ctx.param("weight");
            shift = ctx.param("bias");
        } else {
            float[] ones = new float[channels];
            java.util.Arrays.fill(ones, 1f);
            scale = ctx.floats("scale", ones, channels);
            shift = ctx.floats("shift", new float[channels], channels);
        }
        return ctx.op("BatchNormalization")
                .in(x, scale, shift, ctx.param("running_mean"), ctx.param("running_var"))
                .attr("epsilon", (float) eps).out();
    }
}

package org.waecompress.spi.spec;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.waecompress.spi.nn.FunctionBlock;
import org.waecompress.spi.nn.MergeBlock;
import org.waecompress.spi.nn.TransposedConv2d;

/**
 * The built-in node types of the spec language.
 *
 * <p>Each is a record (an immutable value with structural equality) and a {@link LayerSpec}. Their
 * JSON type tags are the lower-case words in {@link #TYPES}.
 */
public final class Layers {

    /** The built-in node classes, keyed by JSON type tag. */
    static final List<Class<? extends LayerSpec>> TYPES = List.of(
            Conv.class, ConvTranspose.class, BatchNorm2d.class, Act.class, Pool2d.class,
            GlobalAvgPool.class, Flatten.class, Drop.class, Dense.class, Sequential.class,
            Residual.class, Concat.class);

    private Layers() {}

    static Shape chw(Shape in, Router r, String node) {
        if (in.dimension() != 3) {
            throw r.mismatch(node + " input rank", "(C, H, W)", in);
        }
        return in;
    }

    static int outSize(int size, int kernel, int stride, int pad, boolean ceil) {
        int num = size + 2 * pad - kernel;
        int out = (ceil ? Math.floorDiv(num + stride - 1, stride) : Math.floorDiv(num, stride)) + 1;
        // PyTorch drops a last window that would start inside the right padding only.
        if (ceil && (long) (out - 1) * stride >= size + pad) {
            out--;
        }
        return out;
    }

    static Shape spatialOut(Shape in, int channels, HeightWidth k, HeightWidth s, HeightWidth p, boolean ceil,
            Router r) {
        int h = outSize((int) in.get(1), k.h(), s.h(), p.h(), ceil);
        int w = outSize((int) in.get(2), k.w(), s.w(), p.w(), ceil);
        if (h < 1 || w < 1) {
            throw r.mismatch("spatial size", "an input of at least " + k + " after padding " + p, in);
        }
        return new Shape(channels, h, w);
    }

    /** ONNX's pads: begin of each axis, then end of each axis. */
    static long[] pads(HeightWidth p) {
        return new long[] {p.h(), p.w(), p.h(), p.w()};
    }

    static ai.djl.ndarray.types.Shape djl(HeightWidth v) {
        return new Shape(v.h(), v.w());
    }

    /**
     * A 2-D convolution (torchvision {@code Conv2d}, dilation 1).
     *
     * @param name the node name
     * @param in input channels
     * @param out output channels (filters)
     * @param kernel kernel size
     * @param stride stride
     * @param padding zero padding on each side
     * @param groups channel groups ({@code in} for depthwise)
     * @param bias whether the layer adds a bias
     */
    public record Conv(String name, int in, int out, HeightWidth kernel, HeightWidth stride, HeightWidth padding,
            int groups,
            boolean bias) implements LayerSpec {

        /** Validates the record. */
        public Conv {
            Objects.requireNonNull(kernel, "kernel");
            stride = stride == null ? HeightWidth.of(1) : stride;
            padding = padding == null ? HeightWidth.of(0) : padding;
            groups = groups == 0 ? 1 : groups;
            if (in < 1 || out < 1 || groups < 1 || in % groups != 0 || out % groups != 0) {
                throw new SpecException("conv " + name + ": channels in=" + in + " out=" + out
                        + " must be positive multiples of groups=" + groups);
            }
            HeightWidth.check(HeightWidth.label("conv", name), kernel, stride, padding);
        }

        /**
         * Returns a square convolution with the given settings.
         *
         * @param name the name
         * @param in input channels
         * @param out output channels
         * @param k kernel size
         * @param s stride
         * @param p padding
         * @param bias whether to add a bias
         * @return the node
         */
        public static Conv of(String name, int in, int out, int k, int s, int p, boolean bias) {
            return new Conv(name, in, out, HeightWidth.of(k), HeightWidth.of(s), HeightWidth.of(p), 1, bias);
        }

        @Override
        public String type() {
            return "conv";
        }

        @Override
        public Shape route(Shape in, Router r) {
            chw(in, r, "conv");
            if (in.get(0) != this.in) {
                throw r.mismatch("conv input channels", "(" + this.in + ", H, W)", in);
            }
            return spatialOut(in, out, kernel, stride, padding, false, r);
        }

        @Override
        public List<ParamDef> params(Shape in) {
            List<ParamDef> p = new ArrayList<>();
            p.add(new ParamDef("weight", new Shape(out, this.in / groups, kernel.h(), kernel.w()),
                    ParamKind.WEIGHT));
            if (bias) {
                p.add(new ParamDef("bias", new Shape(out), ParamKind.BIAS));
            }
            return p;
        }

        @Override
        public long macs(Shape in, Shape out) {
            return out.size() * (long) (this.in / groups) * kernel.h() * kernel.w();
        }

        @Override
        public LayerSpec withInput(Shape in) {
            int c = (int) in.get(0);
            // A depthwise convolution follows its input: one filter per channel.
            if (groups == this.in && groups == out && groups > 1) {
                return new Conv(name, c, c, kernel, stride, padding, c, bias);
            }
            return new Conv(name, c, out, kernel, stride, padding, groups, bias);
        }

        /**
         * Returns a copy with another number of output channels.
         *
         * @param n the new output channel count
         * @return the node
         */
        public Conv withOut(int n) {
            return new Conv(name, in, n, kernel, stride, padding, groups, bias);
        }

        /**
         * Returns whether another convolution reads the same input the same way: in channels, kernel,
         * stride, padding, groups and bias.
         *
         * @param o the other convolution
         * @return true when only the filter count may differ
         */
        public boolean sameGeometry(Conv o) {
            return in == o.in && kernel.equals(o.kernel) && stride.equals(o.stride) && padding.equals(o.padding)
                    && groups == o.groups && bias == o.bias;
        }

        @Override
        public Block build(Shape in, BuildContext ctx) {
            Conv2d conv = Conv2d.builder()
                    .setKernelShape(djl(kernel))
                    .optStride(djl(stride))
                    .optPadding(djl(padding))
                    .optGroups(groups)
                    .setFilters(out)
                    .optBias(bias)
                    .build();
            ctx.register("weight", conv.getParameters().get("weight"));
            if (bias) {
                ctx.register("bias", conv.getParameters().get("bias"));
            }
            return conv;
        }

        @Override
        public String toOnnx(String x, Shape in, OnnxContext ctx) {
            OnnxNode n = ctx.op("Conv").in(x, ctx.param("weight"));
            if (bias) {
                n.in(ctx.param("bias"));
            }
            return n.ints("kernel_shape", kernel.h(), kernel.w()).ints("strides", stride.h(), stride.w())
                    .ints("pads", pads(padding)).attr("group", groups).out();
        }
    }

    /**
     * A 2-D transposed convolution (torchvision {@code ConvTranspose2d}, groups 1, dilation 1); its
     * weight has torchvision's layout {@code (in, out, kH, kW)}.
     *
     * @param name the node name
     * @param in input channels
     * @param out output channels
     * @param kernel kernel size
     * @param stride stride (the upsampling factor)
     * @param padding implicit padding removed from each side of the output
     * @param outputPadding extra rows/columns added on the bottom/right of the output
     * @param bias whether the layer adds a bias
     */
    public record ConvTranspose(String name, int in, int out, HeightWidth kernel, HeightWidth stride,
            HeightWidth padding,
            HeightWidth outputPadding, boolean bias) implements LayerSpec {

        /** Validates the record. */
        public ConvTranspose {
            Objects.requireNonNull(kernel, "kernel");
            stride = stride == null ? HeightWidth.of(1) : stride;
            padding = padding == null ? HeightWidth.of(0) : padding;
            outputPadding = outputPadding == null ? HeightWidth.of(0) : outputPadding;
            if (in < 1 || out < 1) {
                throw new SpecException("convTranspose " + name + ": channels must be positive");
            }
            HeightWidth.check(HeightWidth.label("convTranspose", name), kernel, stride, padding);
            if (padding.h() > kernel.h() - 1 || padding.w() > kernel.w() - 1) {
                throw new SpecException("convTranspose " + name + ": padding " + padding
                        + " must be at most kernel - 1 (" + kernel + ")");
            }
            if (outputPadding.h() >= stride.h() || outputPadding.w() >= stride.w()) {
                throw new SpecException("convTranspose " + name + ": outputPadding " + outputPadding
                        + " must be smaller than stride " + stride);
            }
        }

        @Override
        public String type() {
            return "convTranspose";
        }

        @Override
        public Shape route(Shape in, Router r) {
            chw(in, r, "convTranspose");
            if (in.get(0) != this.in) {
                throw r.mismatch("convTranspose input channels", "(" + this.in + ", H, W)", in);
            }
            long h = (in.get(1) - 1) * stride.h() - 2L * padding.h() + kernel.h() + outputPadding.h();
            long w = (in.get(2) - 1) * stride.w() - 2L * padding.w() + kernel.w() + outputPadding.w();
            return new Shape(out, h, w);
        }

        @Override
        public List<ParamDef> params(Shape in) {
            List<ParamDef> p = new ArrayList<>();
            p.add(new ParamDef("weight", new Shape(this.in, out, kernel.h(), kernel.w()), ParamKind.WEIGHT));
            if (bias) {
                p.add(new ParamDef("bias", new Shape(out), ParamKind.BIAS));
            }
            return p;
        }

        @Override
        public long macs(Shape in, Shape out) {
            // Every input element is multiplied by a kernel column of out x kH x kW weights.
            return in.size() * (long) this.out * kernel.h() * kernel.w();
        }

        @Override
        public LayerSpec withInput(Shape in) {
            return new ConvTranspose(name, (int) in.get(0), out, kernel, stride, padding, outputPadding, bias);
        }

        @Override
        public Block build(Shape in, BuildContext ctx) {
            TransposedConv2d block = new TransposedConv2d(this.in, out, kernel.toArray(), stride.toArray(),
                    padding.toArray(), outputPadding.toArray(), bias);
            ctx.register("weight", block.getParameters().get("weight"));
            if (bias) {
                ctx.register("bias", block.getParameters().get("bias"));
            }
            return block;
        }

        @Override
        public String toOnnx(String x, Shape in, OnnxContext ctx) {
            OnnxNode n = ctx.op("ConvTranspose").in(x, ctx.param("weight"));
            if (bias) {
                n.in(ctx.param("bias"));
            }
            return n.ints("kernel_shape", kernel.h(), kernel.w()).ints("strides", stride.h(), stride.w())
                    .ints("pads", pads(padding)).ints("output_padding", outputPadding.h(), outputPadding.w()).out();
        }
    }

    /**
     * Batch normalisation over the channel axis (torchvision {@code BatchNorm2d}/{@code BatchNorm1d}).
     *
     * @param name the node name
     * @param channels the number of channels (or features)
     * @param affine whether it learns a scale and shift
     * @param eps the variance epsilon
     * @param momentum torchvision's momentum: the weight of the new batch in the running statistics
     */
    public record BatchNorm2d(String name, int channels, boolean affine, double eps, double momentum)
            implements LayerSpec {

        /** Validates the record. */
        public BatchNorm2d {
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
        public static BatchNorm2d of(String name, int channels) {
            return new BatchNorm2d(name, channels, true, 1e-5, 0.1);
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
            return new BatchNorm2d(name, (int) in.get(0), affine, eps, momentum);
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

    /**
     * An element-wise activation.
     *
     * @param name the node name
     * @param kind {@code relu}, {@code sigmoid} or {@code tanh}
     */
    public record Act(String name, String kind) implements LayerSpec {

        /** Validates the record. */
        public Act {
            kind = kind == null ? "relu" : kind.toLowerCase(Locale.ROOT);
            if (!List.of("relu", "sigmoid", "tanh").contains(kind)) {
                throw new SpecException("activation " + name + ": unknown kind '" + kind
                        + "'; expected relu, sigmoid or tanh");
            }
        }

        /**
         * Returns a ReLU.
         *
         * @param name the name
         * @return the node
         */
        public static Act relu(String name) {
            return new Act(name, "relu");
        }

        @Override
        public String type() {
            return "activation";
        }

        @Override
        public Shape route(Shape in, Router r) {
            return in;
        }

        @Override
        public Block build(Shape in, BuildContext ctx) {
            return switch (kind) {
                case "sigmoid" -> new FunctionBlock("sigmoid", Activation::sigmoid, ctx.outShape());
                case "tanh" -> new FunctionBlock("tanh", Activation::tanh, ctx.outShape());
                default -> new FunctionBlock("relu", Activation::relu, ctx.outShape());
            };
        }

        @Override
        public String toOnnx(String x, Shape in, OnnxContext ctx) {
            return ctx.op(switch (kind) {
                case "sigmoid" -> "Sigmoid";
                case "tanh" -> "Tanh";
                default -> "Relu";
            }).in(x).out();
        }
    }

    /**
     * Max or average pooling; {@code ceil} rounds the output size up as Caffe and some torchvision
     * models do.
     *
     * @param name the node name
     * @param mode {@code max} or {@code avg}
     * @param kernel window size
     * @param stride stride (defaults to the kernel)
     * @param padding padding
     * @param ceil whether to round the output size up
     */
    public record Pool2d(String name, String mode, HeightWidth kernel, HeightWidth stride, HeightWidth padding,
            boolean ceil)
            implements LayerSpec {

        /** Validates the record. */
        public Pool2d {
            mode = mode == null ? "max" : mode.toLowerCase(Locale.ROOT);
            Objects.requireNonNull(kernel, "kernel");
            stride = stride == null ? kernel : stride;
            padding = padding == null ? HeightWidth.of(0) : padding;
            if (!mode.equals("max") && !mode.equals("avg")) {
                throw new SpecException("pool " + name + ": mode must be max or avg, got " + mode);
            }
            HeightWidth.check(HeightWidth.label("pool", name), kernel, stride, padding);
        }

        /**
         * Returns a max-pool.
         *
         * @param name the name
         * @param k the kernel size
         * @param s the stride
         * @param p the padding
         * @param ceil whether to round up
         * @return the node
         */
        public static Pool2d max(String name, int k, int s, int p, boolean ceil) {
            return new Pool2d(name, "max", HeightWidth.of(k), HeightWidth.of(s), HeightWidth.of(p), ceil);
        }

        @Override
        public String type() {
            return "pool";
        }

        @Override
        public Shape route(Shape in, Router r) {
            chw(in, r, "pool");
            return spatialOut(in, (int) in.get(0), kernel, stride, padding, ceil, r);
        }

        @Override
        public Block build(Shape in, BuildContext ctx) {
            Shape k = djl(kernel);
            Shape s = djl(stride);
            Shape p = djl(padding);
            if (mode.equals("max")) {
                return new FunctionBlock("maxPool", x -> Pool.maxPool2d(x, k, s, p, ceil), ctx.outShape());
            }
            return new FunctionBlock("avgPool", x -> Pool.avgPool2d(x, k, s, p, ceil, true), ctx.outShape());
        }

        @Override
        public String toOnnx(String x, Shape in, OnnxContext ctx) {
            OnnxNode n = ctx.op(mode.equals("max") ? "MaxPool" : "AveragePool").in(x)
                    .ints("kernel_shape", kernel.h(), kernel.w()).ints("strides", stride.h(), stride.w())
                    .ints("pads", pads(padding)).attr("ceil_mode", ceil ? 1 : 0);
            if (mode.equals("avg")) {
                // DJL's avgPool2d is called with countIncludePad = true (torchvision's default)
                n.attr("count_include_pad", 1);
            }
            return n.out();
        }
    }

    /**
     * Global average pooling: {@code (C, H, W)} to {@code (C)}.
     *
     * @param name the node name
     */
    public record GlobalAvgPool(String name) implements LayerSpec {
        @Override
        public String type() {
            return "globalAvgPool";
        }

        @Override
        public Shape route(Shape in, Router r) {
            chw(in, r, "globalAvgPool");
            return new Shape(in.get(0));
        }

        @Override
        public Block build(Shape in, BuildContext ctx) {
            return new FunctionBlock("globalAvgPool", Pool::globalAvgPool2d, ctx.outShape());
        }

        @Override
        public String toOnnx(String x, Shape in, OnnxContext ctx) {
            String pooled = ctx.op("GlobalAveragePool").in(x).out();
            return ctx.op("Flatten").in(pooled).attr("axis", 1).out();
        }
    }

    /**
     * Flattens all but the batch dimension.
     *
     * @param name the node name
     */
    public record Flatten(String name) implements LayerSpec {
        @Override
        public String type() {
            return "flatten";
        }

        @Override
        public Shape route(Shape in, Router r) {
            return new Shape(in.size());
        }

        @Override
        public Block build(Shape in, BuildContext ctx) {
            long n = in.size();
            return new FunctionBlock("flatten", x -> x.reshape(x.getShape().get(0), n), ctx.outShape());
        }

        @Override
        public String toOnnx(String x, Shape in, OnnxContext ctx) {
            return ctx.op("Flatten").in(x).attr("axis", 1).out();
        }
    }

    /**
     * Dropout (active only in training).
     *
     * @param name the node name
     * @param rate the probability of zeroing an element
     */
    public record Drop(String name, double rate) implements LayerSpec {

        /** Validates the record. */
        public Drop {
            if (rate < 0 || rate >= 1) {
                throw new SpecException("dropout " + name + ": rate must be in [0, 1), got " + rate);
            }
        }

        @Override
        public String type() {
            return "dropout";
        }

        @Override
        public Shape route(Shape in, Router r) {
            return in;
        }

        @Override
        public Block build(Shape in, BuildContext ctx) {
            return Dropout.builder().optRate((float) rate).build();
        }

        /** Dropout is the identity at inference, so it adds nothing to the graph. */
        @Override
        public String toOnnx(String x, Shape in, OnnxContext ctx) {
            return x;
        }
    }

    /**
     * A fully connected layer on a feature vector (torchvision {@code Linear}).
     *
     * @param name the node name
     * @param in input features
     * @param out output features
     * @param bias whether the layer adds a bias
     */
    public record Dense(String name, int in, int out, boolean bias) implements LayerSpec {

        /** Validates the record. */
        public Dense {
            if (in < 1 || out < 1) {
                throw new SpecException("linear " + name + ": in=" + in + " out=" + out + " must be positive");
            }
        }

        @Override
        public String type() {
            return "linear";
        }

        @Override
        public Shape route(Shape in, Router r) {
            if (in.dimension() != 1 || in.get(0) != this.in) {
                throw r.mismatch("linear input", "(" + this.in + ")", in);
            }
            return new Shape(out);
        }

        @Override
        public List<ParamDef> params(Shape in) {
            List<ParamDef> p = new ArrayList<>();
            p.add(new ParamDef("weight", new Shape(out, this.in), ParamKind.WEIGHT));
            if (bias) {
                p.add(new ParamDef("bias", new Shape(out), ParamKind.BIAS));
            }
            return p;
        }

        @Override
        public long macs(Shape in, Shape out) {
            return (long) this.in * this.out;
        }

        @Override
        public LayerSpec withInput(Shape in) {
            return new Dense(name, (int) in.get(0), out, bias);
        }

        /**
         * Returns a copy with another number of outputs.
         *
         * @param n the new output count
         * @return the node
         */
        public Dense withOut(int n) {
            return new Dense(name, in, n, bias);
        }

        @Override
        public Block build(Shape in, BuildContext ctx) {
            Linear linear = Linear.builder().setUnits(out).optBias(bias).build();
            ctx.register("weight", linear.getParameters().get("weight"));
            if (bias) {
                ctx.register("bias", linear.getParameters().get("bias"));
            }
            return linear;
        }

        @Override
        public String toOnnx(String x, Shape in, OnnxContext ctx) {
            OnnxNode n = ctx.op("Gemm").in(x, ctx.param("weight"));
            if (bias) {
                n.in(ctx.param("bias"));
            }
            return n.attr("transB", 1).out();
        }
    }

    /**
     * Children applied one after the other.
     *
     * @param name the node name
     * @param layers the children, in order
     */
    public record Sequential(String name, List<LayerSpec> layers) implements LayerSpec {

        /** Copies the children. */
        public Sequential {
            layers = List.copyOf(layers);
        }

        /**
         * Returns a sequential node.
         *
         * @param name the name
         * @param layers the children
         * @return the node
         */
        public static Sequential of(String name, LayerSpec... layers) {
            return new Sequential(name, List.of(layers));
        }

        @Override
        public String type() {
            return "sequential";
        }

        @Override
        public List<LayerSpec> children() {
            return layers;
        }

        @Override
        public LayerSpec withChildren(List<LayerSpec> children) {
            return new Sequential(name, children);
        }

        @Override
        public Shape route(Shape in, Router r) {
            Shape s = in;
            for (int i = 0; i < layers.size(); i++) {
                s = r.child(i, s);
            }
            return s;
        }

        @Override
        public Block build(Shape in, BuildContext ctx) {
            SequentialBlock seq = new SequentialBlock();
            Shape s = in;
            for (int i = 0; i < layers.size(); i++) {
                seq.add(ctx.child(i, s));
                s = ctx.shapeOf(i, s);
            }
            return seq;
        }

        @Override
        public String toOnnx(String x, Shape in, OnnxContext ctx) {
            String v = x;
            Shape s = in;
            for (int i = 0; i < layers.size(); i++) {
                v = ctx.child(i, v, s);
                s = ctx.shapeOf(i, s);
            }
            return v;
        }
    }

    /**
     * A residual block: {@code activation(body(x) + shortcut(x))}, with the identity when there is
     * no shortcut.
     *
     * @param name the node name
     * @param body the main path
     * @param shortcut the projection path, or null for the identity
     * @param activation the activation after the addition ({@code relu}), or null for none
     */
    public record Residual(String name, LayerSpec body, LayerSpec shortcut, String activation)
            implements LayerSpec {

        /** Validates the record. */
        public Residual {
            Objects.requireNonNull(body, "body");
            if (activation != null && !activation.equals("relu")) {
                throw new SpecException("residual " + name + ": activation must be relu or absent");
            }
        }

        @Override
        public String type() {
            return "residual";
        }

        @Override
        public List<LayerSpec> children() {
            return shortcut == null ? List.of(body) : List.of(body, shortcut);
        }

        @Override
        public LayerSpec withChildren(List<LayerSpec> children) {
            return new Residual(name, children.get(0), children.size() > 1 ? children.get(1) : null, activation);
        }

        @Override
        public Shape route(Shape in, Router r) {
            Shape main = r.child(0, in);
            Shape side = shortcut == null ? in : r.child(1, in);
            if (!main.equals(side)) {
                throw r.mismatch("residual addition: body output vs shortcut output", main, side);
            }
            return main;
        }

        @Override
        public Block build(Shape in, BuildContext ctx) {
            Block b = ctx.child(0, in);
            Block s = shortcut == null ? null : ctx.child(1, in);
            return MergeBlock.residual(b, s, "relu".equals(activation), ctx.outShape());
        }

        @Override
        public String toOnnx(String x, Shape in, OnnxContext ctx) {
            String main = ctx.child(0, x, in);
            String side = shortcut == null ? x : ctx.child(1, x, in);
            String sum = ctx.op("Add").in(main, side).out();
            return "relu".equals(activation) ? ctx.op("Relu").in(sum).out() : sum;
        }
    }

    /**
     * Branches that all read the input, concatenated along the channel axis.
     *
     * @param name the node name
     * @param branches the branches
     */
    public record Concat(String name, List<LayerSpec> branches) implements LayerSpec {

        /** Copies the branches. */
        public Concat {
            branches = List.copyOf(branches);
            if (branches.isEmpty()) {
                throw new SpecException("concat " + name + ": needs at least one branch");
            }
        }

        @Override
        public String type() {
            return "concat";
        }

        @Override
        public List<LayerSpec> children() {
            return branches;
        }

        @Override
        public LayerSpec withChildren(List<LayerSpec> children) {
            return new Concat(name, children);
        }

        @Override
        public Shape route(Shape in, Router r) {
            Shape first = r.child(0, in);
            long channels = first.get(0);
            for (int i = 1; i < branches.size(); i++) {
                Shape s = r.child(i, in);
                if (s.dimension() != first.dimension()
                        || !s.slice(1).equals(first.slice(1))) {
                    throw r.mismatch("concat branch " + i + " shape (all but channels)", first, s);
                }
                channels += s.get(0);
            }
            long[] dims = first.getShape().clone();
            dims[0] = channels;
            return new Shape(dims);
        }

        @Override
        public Block build(Shape in, BuildContext ctx) {
            List<Block> blocks = new ArrayList<>();
            for (int i = 0; i < branches.size(); i++) {
                blocks.add(ctx.child(i, in));
            }
            if (branches.size() > 1 && branches.stream().allMatch(b -> b instanceof Conv c && c.groups() == 1
                    && ((Conv) branches.get(0)).sameGeometry(c))) {
                Conv first = (Conv) branches.get(0);
                List<Conv2d> convs = blocks.stream().map(b -> (Conv2d) b).toList();
                return MergeBlock.concatConvolutions(convs, djl(first.stride()), djl(first.padding()), ctx.outShape());
            }
            return MergeBlock.concat(blocks, ctx.outShape());
        }

        @Override
        public String toOnnx(String x, Shape in, OnnxContext ctx) {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < branches.size(); i++) {
                parts.add(ctx.child(i, x, in));
            }
            return parts.size() == 1 ? parts.get(0)
                    : ctx.op("Concat").in(parts.toArray(String[]::new)).attr("axis", 1).out();
        }
    }
}

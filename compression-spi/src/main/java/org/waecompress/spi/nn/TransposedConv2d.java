package org.waecompress.spi.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A 2-D transposed convolution ("deconvolution") built from operations the PyTorch engine has.
 *
 * <p>DJL's {@code Conv2dTranspose} is not implemented by the PyTorch engine. A transposed
 * convolution with stride s equals: insert s-1 zeros between input pixels, pad by
 * {@code k - 1 - p} (plus the output padding at the bottom/right), then convolve with stride 1 using
 * the kernel flipped in both spatial axes and with its input and output channel axes swapped:
 *
 * <pre>{@code
 * y = conv2d(pad(zeroInsert(x, s), k - 1 - p), flip(W, h, w)^T)   W: (in, out, kH, kW)
 * }</pre>
 *
 * <p>Every step is differentiable, so the block trains like any other. The weight keeps
 * torchvision's {@code ConvTranspose2d} layout {@code (in, out, kH, kW)}, so weights import
 * unchanged.
 */
public final class TransposedConv2d extends AbstractBlock {

    private final int in;
    private final int out;
    /** Stride, padding, output padding and kernel, each {height, width}. */
    private final int[] stride;
    private final int[] padding;
    private final int[] outputPadding;
    private final int[] kernel;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * Creates the block.
     *
     * @param in input channels
     * @param out output channels
     * @param kernel kernel size {height, width}
     * @param stride stride {height, width}
     * @param padding padding removed from each side {height, width}
     * @param outputPadding extra bottom/right rows and columns {height, width}
     * @param bias whether to add a bias
     */
    public TransposedConv2d(int in, int out, int[] kernel, int[] stride, int[] padding, int[] outputPadding,
            boolean bias) {
        this.in = in;
        this.out = out;
        this.kernel = kernel.clone();
        this.stride = stride.clone();
        this.padding = padding.clone();
        this.outputPadding = outputPadding.clone();
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT).build());
        this.bias = bias
                ? addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS).build())
                : null;
    }

    /**
     * Computes a transposed convolution.
     *
     * @param x the input {@code (N, in, H, W)}
     * @param w the weight {@code (in, out, kH, kW)}
     * @param b the bias {@code (out)} or null
     * @param stride the stride {height, width}
     * @param padding the padding {height, width}
     * @param outputPadding the output padding {height, width}
     * @return the output {@code (N, out, H', W')}
     */
    public static NDArray apply(NDArray x, NDArray w, NDArray b, int[] stride, int[] padding, int[] outputPadding) {
        long n = x.getShape().get(0);
        long c = x.getShape().get(1);
        long h = x.getShape().get(2);
        long wd = x.getShape().get(3);
        int kh = (int) w.getShape().get(2);
        int kw = (int) w.getShape().get(3);
        NDManager m = x.getManager();
        NDArray up = x;
        if (stride[0] > 1 || stride[1] > 1) {
            NDArray x6 = x.reshape(n, c, h, 1, wd, 1);
            if (stride[1] > 1) {
                x6 = x6.concat(m.zeros(new Shape(n, c, h, 1, wd, stride[1] - 1), x.getDataType()), 5);
            }
            if (stride[0] > 1) {
                x6 = x6.concat(m.zeros(new Shape(n, c, h, stride[0] - 1, wd, stride[1]), x.getDataType()), 3);
            }
            up = x6.reshape(n, c, h * stride[0], wd * stride[1]);
        }
        // After zero insertion each axis ends in (s - 1) zeros; the full padding needs k-1-p on the
        // top/left and k-1-p+outputPadding-(s-1) on the bottom/right.
        int top = kh - 1 - padding[0];
        int left = kw - 1 - padding[1];
        int extraH = outputPadding[0] - (stride[0] - 1);
        int extraW = outputPadding[1] - (stride[1] - 1);
        up = adjustEnd(up, 2, extraH);
        up = adjustEnd(up, 3, extraW);
        NDArray k = StepScope.of(w.flip(2, 3), x).transpose(1, 0, 2, 3);
        return up.getNDArrayInternal()
                .convolution(up, k, b, new Shape(1, 1), new Shape(top, left), new Shape(1, 1), 1)
                .singletonOrThrow();
    }

    private static NDArray adjustEnd(NDArray a, int axis, int extra) {
        if (extra == 0) {
            return a;
        }
        Shape s = a.getShape();
        if (extra < 0) {
            long keep = s.get(axis) + extra;
            return axis == 2 ? a.get(":, :, :" + keep + ", :") : a.get(":, :, :, :" + keep);
        }
        long[] dims = s.getShape().clone();
        dims[axis] = extra;
        return a.concat(a.getManager().zeros(new Shape(dims), a.getDataType()), axis);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        NDArray b = bias == null ? null : ps.getValue(bias, x.getDevice(), training);
        return new NDList(apply(x, w, b, stride, padding, outputPadding));
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        // Shapes are set here, not in the constructor, so weights can be given with setArray.
        weight.setShape(new Shape(in, out, kernel[0], kernel[1]));
        if (bias != null) {
            bias.setShape(new Shape(out));
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        long h = (s.get(2) - 1) * stride[0] - 2L * padding[0] + kernel[0] + outputPadding[0];
        long w = (s.get(3) - 1) * stride[1] - 2L * padding[1] + kernel[1] + outputPadding[1];
        return new Shape[] {new Shape(s.get(0), out, h, w)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // no children
    }
}

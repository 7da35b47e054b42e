package org.waecompress.wae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import org.waecompress.spi.nn.FunctionBlock;
import org.waecompress.spi.spec.BuildContext;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.OnnxContext;
import org.waecompress.spi.spec.Router;

/**
 * A fixed one-level CDF 9/7 wavelet transform as a spec node (the paper's "Wavelet+CNN" baseline):
 * {@code (C, H, W)} to {@code (4C, H/2, W/2)}, the bands in the order approximation {@code cA}, then
 * the details {@code cH}, {@code cV}, {@code cD} (C channels each). It has no parameters; it computes,
 * with tensor operations, exactly what the tests' plain-Java reference transform ({@code Cdf97Reference})
 * computes.
 *
 * @param name the node name
 */
public record DwtNode(String name) implements LayerSpec {

    @Override
    public String type() {
        return "dwt97";
    }

    @Override
    public Shape route(Shape in, Router r) {
        if (in.dimension() != 3 || in.get(1) % 2 != 0 || in.get(2) % 2 != 0 || in.get(1) < 2 || in.get(2) < 2) {
            throw r.mismatch("wavelet input", "(C, H, W) with even H and W", in);
        }
        return new Shape(4 * in.get(0), in.get(1) / 2, in.get(2) / 2);
    }

    @Override
    public Block build(Shape in, BuildContext ctx) {
        return new FunctionBlock("dwt97", DwtNode::transform, ctx.outShape());
    }

    /**
     * Lowers the same lifting steps as {@link #transform} to {@code Slice}, {@code Concat}, {@code
     * Add}, {@code Mul} and {@code Div} operators.
     */
    @Override
    public String toOnnx(String x, Shape in, OnnxContext ctx) {
        Lifting l = new Lifting(ctx);
        String[] w = l.lift(x, 3, in.get(2));
        String[] ll = l.lift(w[0], 2, in.get(1));
        String[] hl = l.lift(w[1], 2, in.get(1));
        return ctx.op("Concat").in(ll[0], ll[1], hl[0], hl[1]).attr("axis", 1).out();
    }

    /** The lifting scheme in ONNX operators. */
    private static final class Lifting {
        private final OnnxContext ctx;
        private final String a;
        private final String b;
        private final String g;
        private final String d;
        private final String k;

        Lifting(OnnxContext ctx) {
            this.ctx = ctx;
            a = ctx.floats("alpha", new float[] {(float) Cdf97.A});
            b = ctx.floats("beta", new float[] {(float) Cdf97.B});
            g = ctx.floats("gamma", new float[] {(float) Cdf97.G});
            d = ctx.floats("delta", new float[] {(float) Cdf97.D});
            k = ctx.floats("k", new float[] {(float) Cdf97.K});
        }

        String[] lift(String x, int axis, long n) {
            long m = n / 2;
            String e = slice(x, axis, 0, n, 2);
            String o = slice(x, axis, 1, n, 2);
            o = step(o, next(e, axis, m), e, a);
            e = step(e, prev(o, axis, m), o, b);
            o = step(o, next(e, axis, m), e, g);
            e = step(e, prev(o, axis, m), o, d);
            return new String[] {op("Mul", e, k), op("Div", o, k)};
        }

        /** {@code target + (neighbour + v) * c}. */
        private String step(String target, String neighbour, String v, String c) {
            return op("Add", target, op("Mul", op("Add", neighbour, v), c));
        }

        private String next(String v, int axis, long m) {
            if (m == 1) {
                return v;
            }
            return ctx.op("Concat").in(slice(v, axis, 1, m, 1), slice(v, axis, m - 1, m, 1)).attr("axis", axis)
                    .out();
        }

        private String prev(String v, int axis, long m) {
            if (m == 1) {
                return v;
            }
            return ctx.op("Concat").in(slice(v, axis, 0, 1, 1), slice(v, axis, 0, m - 1, 1)).attr("axis", axis)
                    .out();
        }

        private String slice(String v, int axis, long start, long end, long step) {
            return ctx.op("Slice").in(v, ctx.longs("starts", start), ctx.longs("ends", end),
                    ctx.longs("axes", axis), ctx.longs("steps", step)).out();
        }

        private String op(String type, String x, String y) {
            return ctx.op(type).in(x, y).out();
        }
    }

    /**
     * Transforms a batch {@code (N, C, H, W)}.
     *
     * @param x the batch
     * @return {@code (N, 4C, H/2, W/2)}: cA, cH, cV, cD
     */
    public static NDArray transform(NDArray x) {
        NDArray[] w = lift(x, 3);
        NDArray[] ll = lift(w[0], 2);
        NDArray[] hl = lift(w[1], 2);
        return NDArrays.concat(new NDList(ll[0], ll[1], hl[0], hl[1]), 1);
    }

    private static NDArray[] lift(NDArray x, int axis) {
        long n = x.getShape().get(axis);
        long m = n / 2;
        NDArray e = slice(x, axis, "0:" + n + ":2");
        NDArray o = slice(x, axis, "1:" + n + ":2");
        o = o.add(next(e, axis, m).add(e).mul(Cdf97.A));
        e = e.add(prev(o, axis, m).add(o).mul(Cdf97.B));
        o = o.add(next(e, axis, m).add(e).mul(Cdf97.G));
        e = e.add(prev(o, axis, m).add(o).mul(Cdf97.D));
        return new NDArray[] {e.mul(Cdf97.K), o.div(Cdf97.K)};
    }

    /** {@code v_{i+1}} with the last element repeated. */
    private static NDArray next(NDArray v, int axis, long m) {
        if (m == 1) {
            return v;
        }
        return slice(v, axis, "1:" + m).concat(slice(v, axis, (m - 1) + ":" + m), axis);
    }

    /** {@code v_{i-1}} with the first element repeated. */
    private static NDArray prev(NDArray v, int axis, long m) {
        if (m == 1) {
            return v;
        }
        return slice(v, axis, "0:1").concat(slice(v, axis, "0:" + (m - 1)), axis);
    }

    private static NDArray slice(NDArray x, int axis, String range) {
        return axis == 3 ? x.get(":, :, :, " + range) : x.get(":, :, " + range + ", :");
    }
}

package org.waecompress.wae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import org.waecompress.spi.nn.FunctionBlock;
import org.waecompress.spi.spec.BuildContext;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.Router;

/**
 * A fixed one-level CDF 9/7 wavelet transform as a spec node (the paper's "Wavelet+CNN" baseline):
 * {@code (C, H, W)} to {@code (4C, H/2, W/2)}, the bands in the order approximation {@code cA}, then
 * the details {@code cH}, {@code cV}, {@code cD} (C channels each). It has no parameters; it computes
 * exactly what {@link Cdf97#forward2d} computes, with tensor operations.
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

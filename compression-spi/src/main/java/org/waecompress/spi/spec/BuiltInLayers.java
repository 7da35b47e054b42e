package org.waecompress.spi.spec;

import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * The built-in node types of the spec language ({@link ConvSpec}, {@link LinearSpec}, ...: each a record,
 * an immutable value with structural equality, and a {@link LayerSpec}), and the shape arithmetic they
 * share. Their JSON type tags are the lower-case words their {@code type()} returns.
 */
final class BuiltInLayers {

    /** The built-in node classes, keyed by JSON type tag. */
    static final List<Class<? extends LayerSpec>> TYPES = List.of(
            ConvSpec.class, ConvTransposeSpec.class, BatchNormSpec.class, ActivationSpec.class, PoolSpec.class,
            GlobalAvgPoolSpec.class, FlattenSpec.class, DropoutSpec.class, LinearSpec.class, SequentialSpec.class,
            ResidualSpec.class, ConcatSpec.class, GateSpec.class,
            QuantizeSpec.class, Int8Spec.class);

    private BuiltInLayers() {}

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
}

package org.waecompress.experiments.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.QuantizeSpec;

/**
 * Checks that an exported file computes what the network computes: both engines run the same
 * seeded random batch, and every output of ONNX Runtime must equal the PyTorch engine's within
 * {@link #TOLERANCE} of that output's largest magnitude.
 */
public final class OnnxCheck {

    /** The largest difference allowed, relative to the largest magnitude of the output. */
    public static final double TOLERANCE = 1e-4;

    /**
     * The largest difference allowed for a network with quantization points: ONNX Runtime requantizes
     * each int8 result in integer arithmetic where the PyTorch engine's simulation rounds a float, so a
     * value on a rounding boundary lands one step apart and the step carries on through the layers
     * after it. What the two engines must agree on, top-1 accuracy, is measured on the test images
     * ({@code accuracy.engine = both}).
     */
    public static final double QUANTIZED_TOLERANCE = 0.05;

    /**
     * What the comparison found.
     *
     * @param maxAbsDiff the largest absolute difference over all outputs
     * @param worstRelative the largest ratio, over the outputs, of an output's largest difference to
     *     its largest magnitude
     * @param outputs how many outputs were compared
     * @param batch the batch size
     * @param tolerance the largest relative difference allowed ({@link #TOLERANCE}, or {@link
     *     #QUANTIZED_TOLERANCE} for a quantized network)
     */
    public record Result(double maxAbsDiff, double worstRelative, int outputs, int batch, double tolerance) {
        /**
         * Returns whether every output is within {@link #TOLERANCE}.
         *
         * @return true if the file reproduces the network
         */
        public boolean passes() {
            return worstRelative <= tolerance;
        }

        /**
         * Describes the result in one phrase.
         *
         * @return the text
         */
        public String describe() {
            return String.format(Locale.ROOT, "max |ONNX Runtime - PyTorch| = %.3g, %.3g of the largest output "
                    + "(allowed %.0e%s; %d output%s, batch %d)", maxAbsDiff, worstRelative, tolerance,
                    tolerance == TOLERANCE ? "" : " for int8", outputs, outputs == 1 ? "" : "s", batch);
        }
    }

    private OnnxCheck() {}

    /**
     * Runs a network on both engines and compares.
     *
     * @param net the network
     * @param onnx its exported file
     * @param batch the batch size
     * @param seed the seed of the input (standard normal values)
     * @param threads ONNX Runtime's intra-op threads
     * @return the comparison
     * @throws CompressionException if the engines disagree on the number or size of outputs
     */
    public static Result compare(Network net, Path onnx, int batch, long seed, int threads) {
        try (OrtNetwork o = OrtNetwork.open(onnx, threads)) {
            return compare(net, o, batch, seed);
        }
    }

    /**
     * Runs a network on the PyTorch engine and its exported file in an open ONNX Runtime session,
     * and compares.
     *
     * @param net the network
     * @param onnx the session of its exported file
     * @param batch the batch size
     * @param seed the seed of the input (standard normal values)
     * @return the comparison
     * @throws CompressionException if the engines disagree on the number or size of outputs
     */
    public static Result compare(Network net, OrtNetwork onnx, int batch, long seed) {
        return compare(net, onnx, batch, seed, false);
    }

    /**
     * Runs an imported network on the PyTorch engine and the file it was imported from in ONNX Runtime,
     * and compares: the import's check that it computes what the file computes.
     *
     * @param imported the import
     * @param source the file
     * @param batch the batch size
     * @param seed the seed of the input (standard normal values)
     * @return the comparison; with a dropped final Softmax, the softmax of the network's logits is compared
     */
    public static Result compareWithSource(OnnxImport.Imported imported, Path source, int batch, long seed) {
        return compareWithSource(imported.network(), imported.softmaxDropped(), source, batch, seed);
    }

    /**
     * Runs a network imported from a file on the PyTorch engine and that file in ONNX Runtime, and compares.
     *
     * @param net the imported network
     * @param softmaxDropped whether the import dropped a final Softmax (its softmax is then compared)
     * @param source the file
     * @param batch the batch size
     * @param seed the seed of the input (standard normal values)
     * @return the comparison
     */
    public static Result compareWithSource(Network net, boolean softmaxDropped, Path source, int batch, long seed) {
        try (OrtNetwork o = OrtNetwork.open(source, 1)) {
            return compare(net, o, batch, seed, softmaxDropped);
        }
    }

    private static Result compare(Network net, OrtNetwork onnx, int batch, long seed, boolean softmax) {
        long per = net.inputShape().size();
        float[] x = new float[Math.toIntExact(per * batch)];
        Random r = new Random(seed);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        List<float[]> expected = new ArrayList<>();
        try (NDManager m = Devices.newManager(); BuiltNetwork b = net.build(m);
                NDManager step = b.manager().newSubManager()) {
            NDArray in = step.create(x, b.batchInputShape(batch));
            for (NDArray y : b.forward(new NDList(in), false)) {
                expected.add((softmax ? y.softmax(-1) : y).toFloatArray());
            }
        }
        return compare(expected, onnx.run(x, batch), batch, onnx.file(), tolerance(net.spec()));
    }

    /**
     * Returns the tolerance a network is checked with.
     *
     * @param spec the network's spec
     * @return {@link #QUANTIZED_TOLERANCE} when it has quantization points, else {@link #TOLERANCE}
     */
    public static double tolerance(NetworkSpec spec) {
        return spec.nodes().stream().anyMatch(v -> v.node() instanceof QuantizeSpec) ? QUANTIZED_TOLERANCE
                : TOLERANCE;
    }

    static Result compare(List<float[]> expected, List<float[]> actual, int batch, Path onnx, double tolerance) {
        if (expected.size() != actual.size()) {
            throw new CompressionException(onnx + ": ONNX Runtime gives " + actual.size() + " outputs, the PyTorch "
                    + "engine " + expected.size());
        }
        double maxDiff = 0;
        double worst = 0;
        for (int k = 0; k < expected.size(); k++) {
            float[] e = expected.get(k);
            float[] a = actual.get(k);
            if (e.length != a.length) {
                throw new CompressionException(onnx + ": output " + k + " has " + a.length + " values in ONNX Runtime"
                        + " and " + e.length + " in the PyTorch engine");
            }
            double d = 0;
            double mag = 0;
            for (int i = 0; i < e.length; i++) {
                double diff = Math.abs((double) e[i] - a[i]);
                d = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : Math.max(d, diff);
                mag = Math.max(mag, Math.abs(e[i]));
            }
            maxDiff = Math.max(maxDiff, d);
            worst = Math.max(worst, d == 0 ? 0 : d / Math.max(mag, Float.MIN_NORMAL));
        }
        return new Result(maxDiff, worst, expected.size(), batch, tolerance);
    }
}

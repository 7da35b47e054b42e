package org.waecompress.baselines.lowrank;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.waecompress.baselines.common.ConvGeometry;
import org.waecompress.baselines.common.Prefix;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.SpecException;
import org.waecompress.spi.spec.SpecTraversal;

/**
 * A layer's response statistics for Zhang et al.'s channel decomposition: the mean and covariance of
 * its outputs {@code y = W x + b} at random positions of calibration images (a convolution's output
 * vector at one position; a linear layer's whole output), accumulated 16 images at a time.
 *
 * @param mean the mean response (length {@code out})
 * @param cov the covariance, {@code out x out} row-major
 * @param out the number of outputs
 * @param samples how many responses were drawn
 */
record Responses(double[] mean, double[] cov, int out, long samples) {

    /** Images run through the network at once. */
    static final int BATCH = 16;

    /**
     * Samples the responses of a layer that a prefix of the network feeds.
     *
     * @param net the network
     * @param path the layer (a convolution without groups, or a linear layer)
     * @param images calibration images
     * @param locations positions per image (convolutions)
     * @param seed the seed of the positions
     * @return the statistics
     */
    static Responses of(Network net, String path, ImageDataset images, int locations, long seed) {
        return of(net, path, images, locations, seed, false);
    }

    /**
     * Samples a layer's responses, or returns null when its input cannot be computed by a prefix of
     * the network (a convolution in a residual shortcut or a concatenation branch).
     *
     * @param net the network
     * @param path the layer
     * @param images calibration images
     * @param locations positions per image (convolutions)
     * @param seed the seed of the positions
     * @param first whether the layer is the network's first, whose input is the image
     * @return the statistics, or null
     */
    static Responses of(Network net, String path, ImageDataset images, int locations, long seed, boolean first) {
        LayerSpec node = net.spec().node(path);
        float[] w = net.weight(SpecTraversal.paramName(path, "weight")).toFloatArray();
        String biasName = SpecTraversal.paramName(path, "bias");
        float[] b = net.weights().containsKey(biasName) ? net.weight(biasName).toFloatArray() : null;
        int out = node instanceof ConvSpec c ? c.out() : ((LinearSpec) node).out();
        double[] sum = new double[out];
        double[] sq = new double[out * out];
        long count = 0;
        SplittableRandom rnd = new SplittableRandom(seed);
        Network prefix = null;
        if (!first) {
            try {
                prefix = Prefix.network(net, path);
            } catch (SpecException noPrefix) {
                return null;
            }
        }
        try (Network p = prefix; NDManager m = Devices.newManager()) {
            BuiltNetwork built = p == null ? null : p.build(m);
            try (built) {
                int n = images.size();
                for (int from = 0; from < n; from += BATCH) {
                    int to = Math.min(n, from + BATCH);
                    float[] x;
                    Shape in;
                    try (NDManager sm = m.newSubManager()) {
                        var batch = images.batch(sm, IntStream.range(from, to).toArray()).get(0);
                        var act = built == null ? batch : built.predict(batch);
                        x = act.toFloatArray();
                        in = act.getShape().slice(1);
                    }
                    double[] y = new double[out];
                    for (int img = 0; img < to - from; img++) {
                        int draws = node instanceof ConvSpec ? locations : 1;
                        for (int l = 0; l < draws; l++) {
                            respond(node, in, w, b, x, img, rnd, y);
                            for (int i = 0; i < out; i++) {
                                sum[i] += y[i];
                                for (int j = 0; j <= i; j++) {
                                    sq[i * out + j] += y[i] * y[j];
                                }
                            }
                            count++;
                        }
                    }
                }
            }
        }
        double[] mean = new double[out];
        for (int i = 0; i < out; i++) {
            mean[i] = sum[i] / count;
        }
        double[] cov = new double[out * out];
        for (int i = 0; i < out; i++) {
            for (int j = 0; j <= i; j++) {
                double v = sq[i * out + j] / count - mean[i] * mean[j];
                cov[i * out + j] = v;
                cov[j * out + i] = v;
            }
        }
        return new Responses(mean, cov, out, count);
    }

    /** One response: at a random output position of a convolution, or a linear layer's output. */
    private static void respond(LayerSpec node, Shape in, float[] w, float[] b, float[] x, int img,
            SplittableRandom rnd, double[] y) {
        if (node instanceof ConvSpec q) {
            ConvGeometry g = ConvGeometry.of(q, in);
            int py = rnd.nextInt(g.oh());
            int px = rnd.nextInt(g.ow());
            for (int o = 0; o < q.out(); o++) {
                double s = b == null ? 0 : b[o];
                for (int ch = 0; ch < g.c(); ch++) {
                    s += g.contribution(w, o, ch, x, img, py, px);
                }
                y[o] = s;
            }
        } else {
            LinearSpec d = (LinearSpec) node;
            int f = d.in();
            for (int o = 0; o < d.out(); o++) {
                double s = b == null ? 0 : b[o];
                for (int j = 0; j < f; j++) {
                    s += w[o * f + j] * x[img * f + j];
                }
                y[o] = s;
            }
        }
    }
}

package org.waecompress.baselines.lowrank;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.waecompress.baselines.common.ConvGeometry;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.QuantObserver;
import org.waecompress.spi.spec.QuantizeSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecJson;
import org.waecompress.spi.spec.SpecRewriter;
import org.waecompress.spi.spec.SpecTraversal;

/**
 * A layer's response statistics for Zhang et al.'s channel decomposition: the mean and covariance of
 * its outputs {@code y = W x + b} at random positions of calibration images (a convolution's output
 * vector at one position; a linear layer's whole output), accumulated 16 images at a time.
 *
 * <p>The layers' inputs are what the network itself feeds them: one pass of the whole network, with an
 * observation point before each wanted layer, through any container (sequential, residual, WAE's
 * branches) and after whatever runs first (a resize before the first convolution).
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
     * What to collect of one layer.
     *
     * @param path the layer (a convolution without groups, or a linear layer)
     * @param images how many of the images (the first ones) its statistics take
     * @param seed the seed of its positions
     */
    record Wanted(String path, int images, long seed) {}

    /**
     * Samples the responses of one layer.
     *
     * @param net the network
     * @param path the layer (a convolution without groups, or a linear layer)
     * @param images calibration images
     * @param locations positions per image (convolutions)
     * @param seed the seed of the positions
     * @return the statistics
     */
    static Responses of(Network net, String path, ImageDataset images, int locations, long seed) {
        return of(net, List.of(new Wanted(path, images.size(), seed)), images, locations).get(path);
    }

    /** One layer's running sums. */
    private static final class Sums {
        final Wanted wanted;
        final LayerSpec node;
        final float[] w;
        final float[] b;
        final int out;
        final double[] sum;
        final double[] sq;
        final SplittableRandom rnd;
        final double[] y;
        long count;

        Sums(Network net, Wanted wanted) {
            this.wanted = wanted;
            node = net.spec().node(wanted.path());
            w = net.weight(SpecTraversal.paramName(wanted.path(), "weight")).toFloatArray();
            String biasName = SpecTraversal.paramName(wanted.path(), "bias");
            b = net.weights().containsKey(biasName) ? net.weight(biasName).toFloatArray() : null;
            out = node instanceof ConvSpec c ? c.out() : ((LinearSpec) node).out();
            sum = new double[out];
            sq = new double[out * out];
            rnd = new SplittableRandom(wanted.seed());
            y = new double[out];
        }

        void add(float[] x, Shape in, int firstImage, int batch, int locations) {
            for (int img = 0; img < batch && firstImage + img < wanted.images(); img++) {
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

        Responses result() {
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
    }

    /**
     * Samples the responses of several layers in one pass of the network over the images (as many of
     * them as the layer wanting the most takes).
     *
     * @param net the network
     * @param wanted the layers, each with its image count and seed
     * @param images the images
     * @param locations positions per image (convolutions)
     * @return per layer path, its statistics
     */
    static Map<String, Responses> of(Network net, List<Wanted> wanted, ImageDataset images, int locations) {
        Map<String, Integer> point = new HashMap<>();
        List<Sums> sums = new ArrayList<>();
        for (Wanted x : wanted) {
            point.put(x.path(), sums.size());
            sums.add(new Sums(net, x));
        }
        NetworkSpec observing = SpecRewriter.rewrite(net.spec(), (path, leaf, in) -> point.containsKey(path)
                ? new SequentialSpec(leaf.name(), List.of(new QuantizeSpec("", point.get(path), 0, 0),
                        SpecJson.withName(leaf, "")))
                : leaf);
        int n = Math.min(images.size(), wanted.stream().mapToInt(Wanted::images).max().orElse(0));
        int[] from = {0};
        int[] size = {0};
        try (Network probe = Network.of(observing, net.classes(), net.weights(), "responses of " + net.spec().name());
                NDManager m = Devices.newManager(); BuiltNetwork built = probe.build(m);
                QuantObserver.Installed on = QuantObserver.install((p, x) -> {
                    Sums s = sums.get(p);
                    if (from[0] < s.wanted.images()) {
                        s.add(x.toFloatArray(), x.getShape().slice(1), from[0], size[0], locations);
                    }
                })) {
            for (; from[0] < n; from[0] += BATCH) {
                size[0] = Math.min(n, from[0] + BATCH) - from[0];
                try (NDManager sm = m.newSubManager()) {
                    built.predict(images.batch(sm, IntStream.range(from[0], from[0] + size[0]).toArray()).get(0));
                }
            }
        }
        Map<String, Responses> out = new LinkedHashMap<>();
        for (Sums s : sums) {
            out.put(s.wanted.path(), s.result());
        }
        return out;
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

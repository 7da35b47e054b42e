package org.waecompress.baselines.thinet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
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
import org.waecompress.spi.surgery.ChannelSurgery;

/**
 * Prunes one layer the ThiNet way: the channels of layer i are chosen by what the next layer's output
 * loses without them, measured on calibration images, and the next layer's kept input channels are
 * rescaled by least squares.
 */
public final class ThiNetPruner {

    private ThiNetPruner() {}

    /**
     * Samples the consumer's per-input-channel contributions on calibration images.
     *
     * @param net the network
     * @param convPath the layer being pruned
     * @param images calibration images
     * @param locations samples per image
     * @param seed the sampling seed
     * @return contributions, samples x channels of the pruned layer
     */
    public static float[][] contributions(Network net, String convPath, ImageDataset images, int locations,
            long seed) {
        return contributions(net, convPath, images, locations, seed, BATCH);
    }

    /** Images whose consumer inputs are held at once: memory is bounded by this, not by the calibration set. */
    static final int BATCH = 16;

    /**
     * Samples the consumer's per-input-channel contributions, running the network on at most {@code
     * batch} images at a time; the result does not depend on {@code batch}.
     *
     * @param net the network
     * @param convPath the layer being pruned
     * @param images calibration images
     * @param locations samples per image
     * @param seed the sampling seed
     * @param batch images per forward pass
     * @return contributions, samples x channels of the pruned layer
     */
    static float[][] contributions(Network net, String convPath, ImageDataset images, int locations, long seed,
            int batch) {
        ChannelSurgery.Readers r = ChannelSurgery.readers(net.spec(), convPath);
        int channels = ((ConvSpec) net.spec().node(convPath)).out();
        LayerSpec consumer = net.spec().node(r.consumer());
        if (!(consumer instanceof ConvSpec) && !(consumer instanceof LinearSpec)) {
            throw new SpecException(convPath + ": ThiNet needs a convolution or linear layer after it, found "
                    + consumer.type() + " " + r.consumer());
        }
        float[] w = net.weight(SpecTraversal.paramName(r.consumer(), "weight")).toFloatArray();
        Shape in = r.consumerIn();
        int n = images.size();
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] out = new float[n * locations][channels];
        try (Network prefix = Prefix.network(net, r.consumer()); NDManager m = Devices.newManager();
                BuiltNetwork b = prefix.build(m)) {
            for (int from = 0; from < n; from += batch) {
                int to = Math.min(n, from + batch);
                float[] x;
                try (NDManager sm = m.newSubManager()) {
                    x = b.predict(images.batch(sm, java.util.stream.IntStream.range(from, to).toArray()).get(0))
                            .toFloatArray();
                }
                for (int img = from; img < to; img++) {
                    sample(consumer, in, channels, w, x, img - from, rnd, locations, out, img * locations);
                }
            }
        }
        return out;
    }

    /** Draws one image's locations (in a fixed order, so batching does not change the draws). */
    private static void sample(LayerSpec consumer, Shape in, int channels, float[] w, float[] x, int li,
            SplittableRandom rnd, int locations, float[][] out, int row0) {
        if (consumer instanceof ConvSpec q) {
            ConvGeometry g = ConvGeometry.of(q, in);
            for (int l = 0; l < locations; l++) {
                int o = rnd.nextInt(q.out());
                int y = rnd.nextInt(g.oh());
                int xx = rnd.nextInt(g.ow());
                float[] row = out[row0 + l];
                for (int ch = 0; ch < g.c(); ch++) {
                    row[ch] = (float) g.contribution(w, o, ch, x, li, y, xx);
                }
            }
        } else {
            LinearSpec d = (LinearSpec) consumer;
            int f = d.in();
            int block = f / channels;
            for (int l = 0; l < locations; l++) {
                int o = rnd.nextInt(d.out());
                float[] row = out[row0 + l];
                for (int ch = 0; ch < channels; ch++) {
                    double s = 0;
                    for (int j = ch * block; j < (ch + 1) * block; j++) {
                        s += w[o * f + j] * x[li * f + j];
                    }
                    row[ch] = (float) s;
                }
            }
        }
    }

    /**
     * Prunes a layer to {@code keep} channels with ThiNet's selection and rescaling.
     *
     * @param net the network (unchanged)
     * @param convPath the layer
     * @param keep channels to keep
     * @param images calibration images
     * @param locations samples per image
     * @param seed the seed
     * @return the pruned network
     */
    public static Network prune(Network net, String convPath, int keep, ImageDataset images, int locations,
            long seed) {
        float[][] x = contributions(net, convPath, images, locations, seed);
        int channels = x[0].length;
        boolean[] removed = ThiNetSelection.greedyRemove(x, channels - keep);
        double[] scales = ThiNetSelection.leastSquares(x, removed);
        int[] kept = java.util.stream.IntStream.range(0, channels).filter(c -> !removed[c]).toArray();
        ChannelSurgery.Readers r = ChannelSurgery.readers(net.spec(), convPath);
        try (Network pruned = ChannelSurgery.prune(net, convPath, kept); NDManager m = Devices.newManager()) {
            String name = SpecTraversal.paramName(r.consumer(), "weight");
            NDArray w = pruned.weight(name);
            Shape s = w.getShape();
            float[] v = w.toFloatArray();
            long rows = s.get(0);
            long perRow = s.size() / rows;
            long perChannel = perRow / kept.length;
            for (long o = 0; o < rows; o++) {
                for (int k = 0; k < kept.length; k++) {
                    for (long j = 0; j < perChannel; j++) {
                        int at = (int) (o * perRow + k * perChannel + j);
                        v[at] = (float) (v[at] * scales[k]);
                    }
                }
            }
            Map<String, NDArray> weights = new LinkedHashMap<>(pruned.weights());
            weights.put(name, m.create(v, s));
            return Network.of(pruned.spec(), pruned.classes(), weights, "ThiNet on " + convPath);
        }
    }

    /**
     * Picks calibration images at random, as ThiNet does: up to {@code perClass} of each class, in an
     * order shuffled from the seed.
     *
     * @param data the training data
     * @param perClass images per class
     * @param seed the seed
     * @return the subset
     */
    public static ImageDataset calibration(ImageDataset data, int perClass, long seed) {
        int[] order = java.util.stream.IntStream.range(0, data.size()).toArray();
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = order.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] count = new int[data.numClasses()];
        List<Integer> idx = new java.util.ArrayList<>();
        for (int k = 0; k < order.length && idx.size() < perClass * data.numClasses(); k++) {
            int i = order[k];
            int l = data.label(i);
            if (count[l] < perClass) {
                count[l]++;
                idx.add(i);
            }
        }
        return data.subset(idx.stream().mapToInt(Integer::intValue).toArray(), "(ThiNet calibration)");
    }
}

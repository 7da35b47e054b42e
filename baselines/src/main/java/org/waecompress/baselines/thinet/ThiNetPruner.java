package org.waecompress.baselines.thinet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.waecompress.baselines.common.ChannelSurgery;
import org.waecompress.baselines.common.Prefix;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.Layers;
import org.waecompress.spi.spec.SpecException;
import org.waecompress.spi.spec.SpecTraversal;

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
        ChannelSurgery.Readers r = ChannelSurgery.readers(net.spec(), convPath);
        int channels = ((Layers.Conv) net.spec().node(convPath)).out();
        LayerSpec consumer = net.spec().node(r.consumer());
        float[] w = net.weight(SpecTraversal.paramName(r.consumer(), "weight")).toFloatArray();
        Shape in = r.consumerIn();
        int n = images.size();
        float[] x = input(net, r.consumer(), images);
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] out = new float[n * locations][channels];
        if (consumer instanceof Layers.Conv q) {
            int c = (int) in.get(0);
            int h = (int) in.get(1);
            int wd = (int) in.get(2);
            int kh = q.kernel().h();
            int kw = q.kernel().w();
            int oh = (h + 2 * q.padding().h() - kh) / q.stride().h() + 1;
            int ow = (wd + 2 * q.padding().w() - kw) / q.stride().w() + 1;
            for (int img = 0; img < n; img++) {
                for (int l = 0; l < locations; l++) {
                    int o = rnd.nextInt(q.out());
                    int y = rnd.nextInt(oh);
                    int xx = rnd.nextInt(ow);
                    float[] row = out[img * locations + l];
                    for (int ch = 0; ch < c; ch++) {
                        double s = 0;
                        for (int a = 0; a < kh; a++) {
                            int iy = y * q.stride().h() - q.padding().h() + a;
                            if (iy < 0 || iy >= h) {
                                continue;
                            }
                            for (int b = 0; b < kw; b++) {
                                int ix = xx * q.stride().w() - q.padding().w() + b;
                                if (ix >= 0 && ix < wd) {
                                    s += w[((o * c + ch) * kh + a) * kw + b] * x[((img * c + ch) * h + iy) * wd + ix];
                                }
                            }
                        }
                        row[ch] = (float) s;
                    }
                }
            }
        } else if (consumer instanceof Layers.Dense d) {
            int f = d.in();
            int block = f / channels;
            for (int img = 0; img < n; img++) {
                for (int l = 0; l < locations; l++) {
                    int o = rnd.nextInt(d.out());
                    float[] row = out[img * locations + l];
                    for (int ch = 0; ch < channels; ch++) {
                        double s = 0;
                        for (int j = ch * block; j < (ch + 1) * block; j++) {
                            s += w[o * f + j] * x[img * f + j];
                        }
                        row[ch] = (float) s;
                    }
                }
            }
        } else {
            throw new SpecException(convPath + ": ThiNet needs a convolution or linear layer after it, found "
                    + consumer.type() + " " + r.consumer());
        }
        return out;
    }

    /** The consumer's input on the images, flattened per image. */
    private static float[] input(Network net, String consumer, ImageDataset images) {
        try (Network prefix = Prefix.network(net, consumer); NDManager m = NDManager.newBaseManager();
                BuiltNetwork b = prefix.build(m)) {
            int[] idx = java.util.stream.IntStream.range(0, images.size()).toArray();
            NDArray x = b.predict(images.batch(m, idx).get(0));
            return x.toFloatArray();
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
        try (Network pruned = ChannelSurgery.prune(net, convPath, kept); NDManager m = NDManager.newBaseManager()) {
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
     * Picks calibration images: up to {@code perClass} of each class, in data order.
     *
     * @param data the training data
     * @param perClass images per class
     * @return the subset
     */
    public static ImageDataset calibration(ImageDataset data, int perClass) {
        int[] count = new int[data.numClasses()];
        List<Integer> idx = new java.util.ArrayList<>();
        for (int i = 0; i < data.size() && idx.size() < perClass * data.numClasses(); i++) {
            int l = data.label(i);
            if (count[l] < perClass) {
                count[l]++;
                idx.add(i);
            }
        }
        return data.subset(idx.stream().mapToInt(Integer::intValue).toArray(), "(ThiNet calibration)");
    }
}

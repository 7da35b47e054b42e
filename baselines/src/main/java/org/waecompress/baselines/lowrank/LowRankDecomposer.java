package org.waecompress.baselines.lowrank;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.waecompress.baselines.common.Linalg;
import org.waecompress.spi.LayerwiseStrategy;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.ChannelMultiple;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.HeightWidth;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecRewriter;
import org.waecompress.spi.spec.SpecTraversal;
import org.waecompress.spi.train.ProgressListener;

/**
 * Replaces layers by low-rank factorisations.
 *
 * <ul>
 *   <li>{@code method=channel} (the default): the channel decomposition of Zhang et al. (TPAMI 2016,
 *   https://arxiv.org/abs/1505.06798), its linear solution. From the layer's responses {@code y = W x +
 *   b} on calibration images ({@link Responses}), the top {@code r} eigenvectors {@code P} of their
 *   covariance give {@code y ~ P P^T (y - mean) + mean}: a layer of the {@code r} filters {@code P^T W}
 *   (a {@code k x k} convolution, or a linear layer) followed by a {@code 1 x 1} convolution (or linear
 *   layer) {@code P} with bias {@code P P^T (b - mean) + mean}. Exact at full rank. (The paper's
 *   nonlinear and asymmetric refinements are not implemented.)</li>
 *   <li>{@code method=svd}: the data-free truncated SVD of the weight matrix {@code out x (in k k)},
 *   {@code W ~ (U_r S_r)(V_r^T)}, the same two layers; the second carries the original bias.</li>
 *   <li>Convolution with {@code method=tucker2}: Tucker-2 along the two channel modes (Kim et al.), three
 *   layers 1x1, k x k, 1x1; see {@link #tucker2}.</li>
 * </ul>
 *
 * <p>At full rank both reproduce the layer exactly. Rank from a target speed-up {@code s}: the
 * largest r with {@code MACs(factorised) <= MACs(original) / s}; or from an energy fraction of the
 * squared singular values; or by EVBMF ({@link Vbmf}) of the weight matrix (Tucker-2: of its two
 * channel-mode unfoldings). A layer is kept when no rank saves MACs, and grouped convolutions are
 * never decomposed. The replacement node keeps the layer's name, its parts are {@code 0} and {@code 1}.
 *
 * <p>Over 400 lines because it holds the three decompositions (channel, spatial, Tucker-2), which share the
 * calibration, the rank rules and the replacement of the layer.
 */
public final class LowRankDecomposer {

    private LowRankDecomposer() {}

    /**
     * Returns the rank that meets a MAC speed-up for a {@code out x inner} factorisation.
     *
     * @param out output channels or features
     * @param inner {@code in k k} for a convolution, {@code in} for a linear layer
     * @param speedup the target
     * @return the rank, or 0 when no rank helps
     */
    static int rankForSpeedup(int out, int inner, double speedup) {
        // factorised cost per position: r * inner + out * r
        int r = (int) Math.floor(out * (double) inner / (speedup * (inner + out)));
        return Math.max(0, Math.min(r, Math.min(out, inner)));
    }

    /**
     * Whether the settings decompose a layer: with per-layer ratios, the listed layers below 1; else
     * the layers of the {@code layers} kind.
     */
    static boolean eligible(LayerSpec n, LowRankSettings s, String path, String last) {
        if (!s.layerRatios().isEmpty()) {
            Double r = s.layerRatios().get(path);
            return r != null && r < 1 && eligible(n, "all", path, last);
        }
        return eligible(n, s.layers(), path, last);
    }

    /**
     * The layers a decomposition can take, in network order: every convolution and linear layer but
     * the output layer (the units of a sensitivity analysis).
     *
     * @param spec the network
     * @return the layer paths
     */
    static List<String> units(NetworkSpec spec) {
        String last = lastLayer(spec);
        return spec.nodes().stream().filter(v -> (v.node() instanceof ConvSpec || v.node() instanceof LinearSpec)
                && eligible(v.node(), "all", v.path(), last)).map(SpecTraversal.Visited::path).toList();
    }

    static boolean eligible(LayerSpec n, String layers, String path, String last) {
        if (path.equals(last)) {
            return false;
        }
        if (n instanceof ConvSpec c) {
            return !layers.equals("linear") && c.groups() == 1;
        }
        return n instanceof LinearSpec && !layers.equals("conv");
    }

    private record Factorised(NetworkSpec spec, Map<String, NDArray> factors) {}

    /**
     * The architecture alone (ranks from the target speed-up), for speed tables.
     *
     * @param spec the backbone
     * @param s the settings
     * @return the factorised spec
     */
    public static NetworkSpec architecture(NetworkSpec spec, LowRankSettings s) {
        return factorise(spec, s, null, null, null).spec();
    }

    /**
     * Decomposes a trained network.
     *
     * @param net the network
     * @param s the settings
     * @return the new network
     */
    public static Network decompose(Network net, LowRankSettings s) {
        if (s.method().equals("channel")) {
            throw new IllegalArgumentException("the channel decomposition needs calibration images: "
                    + "use decompose(net, s, images, seed)");
        }
        return decompose(net, s, null);
    }

    /**
     * Decomposes a trained network, with Zhang et al.'s channel decomposition from the responses of
     * each layer on calibration images when the method is {@code channel}.
     *
     * @param net the network
     * @param s the settings
     * @param data the training images ({@code calibrationImages} are drawn from them at random)
     * @param seed the seed of the draws
     * @return the new network
     */
    public static Network decompose(Network net, LowRankSettings s, ImageDataset data, long seed) {
        return decompose(net, s, data, seed, ProgressListener.NONE);
    }

    /**
     * Decomposes a trained network as {@link #decompose(Network, LowRankSettings, ImageDataset, long)},
     * saying on {@code log} which linear layers get the weight SVD because the training images cannot
     * give their responses' covariance the rank kept.
     *
     * @param net the network
     * @param s the settings
     * @param data the training images
     * @param seed the seed of the draws
     * @param log where such notes go
     * @return the new network
     */
    public static Network decompose(Network net, LowRankSettings s, ImageDataset data, long seed,
            ProgressListener log) {
        Map<String, Responses> responses = null;
        if (s.method().equals("channel")) {
            String last = lastLayer(net.spec());
            List<Responses.Wanted> wanted = new ArrayList<>();
            int i = 0;
            for (SpecTraversal.Visited v : net.spec().nodes()) {
                boolean layer = v.node() instanceof ConvSpec || v.node() instanceof LinearSpec;
                if (layer && eligible(v.node(), s, v.path(), last)) {
                    long layerSeed = seed + 31L * ++i;
                    if (v.node() instanceof ConvSpec) {
                        wanted.add(new Responses.Wanted(v.path(), s.calibrationImages(), layerSeed));
                        continue;
                    }
                    // one response per image: a covariance of n responses has rank n - 1 at most, so a
                    // linear layer takes twice the rank it keeps in images (at least the calibration count)
                    int rank = linearRank(net, (LinearSpec) v.node(), v.path(), s);
                    if (ChannelMultiple.rounds(s.channelMultiple())) {
                        LinearSpec d = (LinearSpec) v.node();
                        rank = ChannelMultiple.round(rank, Math.min(d.out(), d.in()), s.channelMultiple());
                    }
                    int images = (int) Math.min(data.size(), Math.max(s.calibrationImages(), 2L * rank));
                    if (images < rank + 1) {
                        log.message(String.format(java.util.Locale.ROOT, "lowrank: %s gets the weight SVD: its "
                                + "responses' covariance needs more than %d images for rank %d and the training "
                                + "data has %d", v.path(), rank, rank, data.size()));
                        continue;
                    }
                    wanted.add(new Responses.Wanted(v.path(), images, layerSeed));
                }
            }
            int most = wanted.stream().mapToInt(Responses.Wanted::images).max().orElse(0);
            // the first calibrationImages of a larger draw are the calibration draw itself
            responses = wanted.isEmpty() ? new HashMap<>()
                    : new HashMap<>(Responses.of(net, wanted, sample(data, Math.max(most, s.calibrationImages()),
                    seed), s.locations()));
        }
        return decompose(net, s, responses);
    }

    /**
     * The rank a linear layer keeps, for the images its responses need: from its ratio or the target
     * speed-up, from EVBMF of its weights, or (an energy fraction, decided by the responses) its full
     * rank.
     */
    private static int linearRank(Network net, LinearSpec d, String path, LowRankSettings s) {
        int full = Math.min(d.out(), d.in());
        if (!s.layerRatios().isEmpty()) {
            return Math.max(1, rankForSpeedup(d.out(), d.in(), s.target(path)));
        }
        if (s.vbmf()) {
            Linalg.Svd svd = Linalg.svd(net.weight(SpecTraversal.paramName(path, "weight")).toFloatArray(), d.out(),
                    d.in());
            return Math.max(1, Vbmf.estimate(svd.s(), d.out(), d.in()).rank());
        }
        if (s.energy() > 0) {
            return full;
        }
        return Math.max(1, rankForSpeedup(d.out(), d.in(), s.targetSpeedup()));
    }

    /** The path of the network's last convolution or linear layer (its output layer, never decomposed). */
    private static String lastLayer(NetworkSpec spec) {
        String last = null;
        for (SpecTraversal.Visited v : spec.nodes()) {
            if (v.node() instanceof ConvSpec || v.node() instanceof LinearSpec) {
                last = v.path();
            }
        }
        return last;
    }

    /** {@code count} images drawn at random (without replacement) from the seed. */
    static ImageDataset sample(ImageDataset data, int count, long seed) {
        return data.sample(count, seed, "(low-rank calibration)");
    }

    private static Network decompose(Network net, LowRankSettings s, Map<String, Responses> responses) {
        try (NDManager m = Devices.newManager()) {
            Factorised f = factorise(net.spec(), s, net, m, responses);
            // Weights: the original tensor where the name still exists, the factors otherwise.
            Map<String, NDArray> weights = new LinkedHashMap<>();
            for (String name : f.spec().parameters().keySet()) {
                weights.put(name, f.factors().containsKey(name) ? f.factors().get(name) : net.weights().get(name));
            }
            return Network.of(f.spec().withName("lowrank-" + net.spec().name()), net.classes(), weights,
                    "low-rank decomposition");
        }
    }

    private static Factorised factorise(NetworkSpec spec, LowRankSettings s, Network weights, NDManager m,
            Map<String, Responses> responses) {
        final String output = lastLayer(spec);
        Map<String, NDArray> factors = new HashMap<>();
        int[] changed = {0};
        NetworkSpec out = SpecRewriter.rewrite(spec, (path, leaf, in) -> {
            if (!eligible(leaf, s, path, output)) {
                return leaf;
            }
            if (leaf instanceof ConvSpec tc && s.method().equals("tucker2")) {
                LayerSpec t = tucker2(path, tc, in, s, weights, m, factors);
                if (t != tc) {
                    changed[0]++;
                }
                return t;
            }
            int o;
            int inner;
            if (leaf instanceof ConvSpec c) {
                o = c.out();
                inner = c.in() * c.kernel().h() * c.kernel().w();
            } else {
                LinearSpec d = (LinearSpec) leaf;
                o = d.out();
                inner = d.in();
            }
            boolean zhang = s.method().equals("channel");
            Responses resp = zhang && responses != null ? responses.get(path) : null;
            // a linear layer whose kept rank the training images cannot cover gets the weight SVD
            boolean fromResponses = resp != null;
            Linalg.Svd svd = weights == null || (fromResponses && !s.vbmf()) ? null
                    : Linalg.svd(weights.weight(SpecTraversal.paramName(path, "weight")).toFloatArray(), o, inner);
            double[][] eig = resp == null ? null : Linalg.symmetricEigen(resp.cov(), o);
            int r = !s.layerRatios().isEmpty() ? rankForSpeedup(o, inner, s.target(path))
                    : s.vbmf() && svd != null ? Vbmf.estimate(svd.s(), o, inner).rank()
                    : s.energy() > 0 && svd != null ? rankForEnergy(svd.s(), s.energy())
                    : s.energy() > 0 && eig != null ? rankForEnergy(root(eig[0]), s.energy())
                    : rankForSpeedup(o, inner, s.targetSpeedup());
            if (r > 0 && ChannelMultiple.rounds(s.channelMultiple())) {
                r = ChannelMultiple.round(r, Math.min(o, inner), s.channelMultiple());
            }
            if (r <= 0 || (long) r * (inner + o) >= (long) o * inner) {
                return leaf;
            }
            changed[0]++;
            // Zhang's second layer always has a bias: it restores the mean response
            boolean bias2 = zhang || (leaf instanceof ConvSpec c0 ? c0.bias() : ((LinearSpec) leaf).bias());
            LayerSpec replacement = leaf instanceof ConvSpec c
                    ? SequentialSpec.of(c.name(),
                            new ConvSpec("0", c.in(), r, c.kernel(), c.stride(), c.padding(), 1, false),
                            new ConvSpec("1", r, c.out(), HeightWidth.of(1), HeightWidth.of(1), HeightWidth.of(0),
                                    1, bias2))
                    : SequentialSpec.of(leaf.name(),
                            new LinearSpec("0", inner, r, false),
                            new LinearSpec("1", r, o, bias2));
            Shape fs = leaf instanceof ConvSpec c ? new Shape(r, c.in(), c.kernel().h(), c.kernel().w())
                    : new Shape(r, inner);
            Shape ss = leaf instanceof ConvSpec ? new Shape(o, r, 1, 1) : new Shape(o, r);
            if (fromResponses && weights != null) {
                float[] w = weights.weight(SpecTraversal.paramName(path, "weight")).toFloatArray();
                String biasName = SpecTraversal.paramName(path, "bias");
                float[] b = weights.weights().containsKey(biasName) ? weights.weight(biasName).toFloatArray() : null;
                double[] vec = eig[1];
                float[] first = new float[r * inner];
                float[] second = new float[o * r];
                for (int j = 0; j < r; j++) {
                    for (int i = 0; i < o; i++) {
                        second[i * r + j] = (float) vec[i * o + j];
                    }
                    for (int k = 0; k < inner; k++) {
                        double acc = 0;
                        for (int i = 0; i < o; i++) {
                            acc += vec[i * o + j] * w[i * inner + k];
                        }
                        first[j * inner + k] = (float) acc;
                    }
                }
                // bias = P P^T (b - mean) + mean
                double[] proj = new double[r];
                for (int j = 0; j < r; j++) {
                    for (int i = 0; i < o; i++) {
                        proj[j] += vec[i * o + j] * ((b == null ? 0 : b[i]) - resp.mean()[i]);
                    }
                }
                float[] bias = new float[o];
                for (int i = 0; i < o; i++) {
                    double v = resp.mean()[i];
                    for (int j = 0; j < r; j++) {
                        v += vec[i * o + j] * proj[j];
                    }
                    bias[i] = (float) v;
                }
                factors.put(SpecTraversal.paramName(path, "0.weight"), m.create(first, fs));
                factors.put(SpecTraversal.paramName(path, "1.weight"), m.create(second, ss));
                factors.put(SpecTraversal.paramName(path, "1.bias"), m.create(bias, new Shape(o)));
                return replacement;
            }
            if (svd != null) {
                float[] first = new float[r * inner];
                float[] second = new float[o * r];
                for (int j = 0; j < r; j++) {
                    for (int k = 0; k < inner; k++) {
                        first[j * inner + k] = (float) svd.v()[k * svd.k() + j];
                    }
                    for (int i = 0; i < o; i++) {
                        second[i * r + j] = (float) (svd.u()[i * svd.k() + j] * svd.s()[j]);
                    }
                }
                factors.put(SpecTraversal.paramName(path, "0.weight"), m.create(first, fs));
                factors.put(SpecTraversal.paramName(path, "1.weight"), m.create(second, ss));
                String bias = SpecTraversal.paramName(path, "bias");
                if (weights.weights().containsKey(bias)) {
                    factors.put(SpecTraversal.paramName(path, "1.bias"), weights.weight(bias));
                } else if (bias2) {
                    factors.put(SpecTraversal.paramName(path, "1.bias"), m.zeros(new Shape(o)));
                }
            }
            return replacement;
        });
        if (changed[0] == 0 && !s.layerRatios().isEmpty()) {
            throw new InvalidSettingException("strategy.lowrank.layerRatios", LayerwiseStrategy.format(
                    s.layerRatios()), "saves no MACs in any listed layer of " + spec.name() + " (a layer's rank at "
                    + "its ratio is its full rank); lower the ratios");
        }
        if (changed[0] == 0) {
            if (weights != null && s.vbmf()) {
                throw new InvalidSettingException("strategy.lowrank.vbmf", true, "the EVBMF ranks of every layer of "
                        + spec.name() + " are too high to save MACs; set vbmf=false and use targetSpeedup or energy");
            }
            if (weights != null && s.energy() > 0) {
                throw new InvalidSettingException("strategy.lowrank.energy", s.energy(), "keeps too high a rank in "
                        + "every layer of " + spec.name() + " to save MACs; lower it");
            }
            throw new InvalidSettingException("strategy.lowrank.targetSpeedup", s.targetSpeedup(),
                    "no layer of " + spec.name() + " can be factorised to save MACs with these settings");
        }
        return new Factorised(out, factors);
    }

    /**
     * Tucker-2 (Kim et al., ICLR 2016, https://arxiv.org/abs/1511.06530): the kernel {@code W (T, S, k,
     * k)} is decomposed along its two channel modes by HOSVD, {@code W ~ G x1 U_out x2 U_in}, and the
     * layer becomes 1x1 ({@code S -> R3}, weights {@code U_in^T}), k x k ({@code R3 -> R4}, the core
     * {@code G}, the original stride and padding), 1x1 ({@code R4 -> T}, {@code U_out}, the bias).
     * Exact at full ranks. Ranks: the same fraction of both channel counts, the largest meeting the
     * MAC target; or per-mode energy fractions.
     */
    private static LayerSpec tucker2(String path, ConvSpec c, Shape in, LowRankSettings s, Network weights,
            NDManager m, Map<String, NDArray> factors) {
        if (c.groups() != 1) {
            return c;
        }
        int t = c.out();
        int sIn = c.in();
        int kh = c.kernel().h();
        int kw = c.kernel().w();
        int kk = kh * kw;
        long inPos = in.get(1) * in.get(2);
        long outPos = new NetworkSpec("probe", in, c).outputShape().size() / t;
        long original = outPos * t * sIn * kk;
        Linalg.Svd outSvd = null;
        Linalg.Svd inSvd = null;
        float[] w = null;
        if (weights != null) {
            w = weights.weight(SpecTraversal.paramName(path, "weight")).toFloatArray();
            outSvd = Linalg.svd(w, t, sIn * kk);
            float[] mode2 = new float[sIn * t * kk];
            for (int o = 0; o < t; o++) {
                for (int i = 0; i < sIn; i++) {
                    System.arraycopy(w, (o * sIn + i) * kk, mode2, (i * t + o) * kk, kk);
                }
            }
            inSvd = Linalg.svd(mode2, sIn, t * kk);
        }
        int r3;
        int r4;
        if (s.vbmf() && outSvd != null && s.layerRatios().isEmpty()) {
            // Kim et al.: the ranks of the mode-1 (output) and mode-2 (input) unfoldings.
            r4 = Vbmf.estimate(outSvd.s(), t, sIn * kk).rank();
            r3 = Vbmf.estimate(inSvd.s(), sIn, t * kk).rank();
        } else if (s.energy() > 0 && outSvd != null && s.layerRatios().isEmpty()) {
            r4 = rankForEnergy(outSvd.s(), s.energy());
            r3 = rankForEnergy(inSvd.s(), s.energy());
        } else {
            r3 = 0;
            r4 = 0;
            for (int step = 1; step <= 1000; step++) {
                double rho = step / 1000.0;
                int a = Math.max(1, (int) Math.ceil(rho * sIn));
                int b = Math.max(1, (int) Math.ceil(rho * t));
                if (tuckerMacs(inPos, outPos, sIn, t, a, b, kk) * s.target(path) <= original) {
                    r3 = a;
                    r4 = b;
                } else {
                    break;
                }
            }
        }
        if (r3 > 0 && r4 > 0 && ChannelMultiple.rounds(s.channelMultiple())) {
            r3 = ChannelMultiple.round(r3, Math.min(sIn, t * kk), s.channelMultiple());
            r4 = ChannelMultiple.round(r4, Math.min(t, sIn * kk), s.channelMultiple());
        }
        if (r3 <= 0 || r4 <= 0 || tuckerMacs(inPos, outPos, sIn, t, r3, r4, kk) >= original) {
            return c;
        }
        LayerSpec replacement = SequentialSpec.of(c.name(),
                new ConvSpec("0", sIn, r3, HeightWidth.of(1), HeightWidth.of(1), HeightWidth.of(0), 1, false),
                new ConvSpec("1", r3, r4, c.kernel(), c.stride(), c.padding(), 1, false),
                new ConvSpec("2", r4, t, HeightWidth.of(1), HeightWidth.of(1), HeightWidth.of(0), 1, c.bias()));
        if (w != null) {
            float[] first = new float[r3 * sIn];
            for (int r = 0; r < r3; r++) {
                for (int i = 0; i < sIn; i++) {
                    first[r * sIn + i] = (float) inSvd.u()[i * inSvd.k() + r];
                }
            }
            float[] last = new float[t * r4];
            for (int o = 0; o < t; o++) {
                for (int r = 0; r < r4; r++) {
                    last[o * r4 + r] = (float) outSvd.u()[o * outSvd.k() + r];
                }
            }
            // core G[b, a, :] = sum_o sum_i U_out[o, b] U_in[i, a] W[o, i, :]
            double[] half = new double[r4 * sIn * kk];
            for (int b = 0; b < r4; b++) {
                for (int o = 0; o < t; o++) {
                    double u = outSvd.u()[o * outSvd.k() + b];
                    for (int i = 0; i < sIn * kk; i++) {
                        half[b * sIn * kk + i] += u * w[o * sIn * kk + i];
                    }
                }
            }
            float[] core = new float[r4 * r3 * kk];
            for (int b = 0; b < r4; b++) {
                for (int a = 0; a < r3; a++) {
                    for (int i = 0; i < sIn; i++) {
                        double u = inSvd.u()[i * inSvd.k() + a];
                        for (int q = 0; q < kk; q++) {
                            core[(b * r3 + a) * kk + q] += (float) (u * half[(b * sIn + i) * kk + q]);
                        }
                    }
                }
            }
            factors.put(SpecTraversal.paramName(path, "0.weight"), m.create(first, new Shape(r3, sIn, 1, 1)));
            factors.put(SpecTraversal.paramName(path, "1.weight"), m.create(core, new Shape(r4, r3, kh, kw)));
            factors.put(SpecTraversal.paramName(path, "2.weight"), m.create(last, new Shape(t, r4, 1, 1)));
            String bias = SpecTraversal.paramName(path, "bias");
            if (weights.weights().containsKey(bias)) {
                factors.put(SpecTraversal.paramName(path, "2.bias"), weights.weight(bias));
            }
        }
        return replacement;
    }

    static long tuckerMacs(long inPos, long outPos, int s, int t, int r3, int r4, int kk) {
        return inPos * s * r3 + outPos * r3 * r4 * kk + outPos * r4 * t;
    }

    /** Square roots of eigenvalues (clamped at 0): the singular-value scale that {@link #rankForEnergy} takes. */
    private static double[] root(double[] eigenvalues) {
        double[] r = new double[eigenvalues.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = Math.sqrt(Math.max(0, eigenvalues[i]));
        }
        return r;
    }

    static int rankForEnergy(double[] s, double fraction) {
        double total = 0;
        for (double v : s) {
            total += v * v;
        }
        double acc = 0;
        for (int i = 0; i < s.length; i++) {
            acc += s[i] * s[i];
            if (acc >= fraction * total) {
                return i + 1;
            }
        }
        return s.length;
    }
}

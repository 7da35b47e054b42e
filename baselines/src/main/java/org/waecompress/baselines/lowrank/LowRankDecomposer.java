package org.waecompress.baselines.lowrank;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.waecompress.baselines.common.Linalg;
import org.waecompress.spi.InvalidSettingException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.Hw;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.Layers;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SpecRewriter;
import org.waecompress.spi.spec.SpecTraversal;

/**
 * Replaces layers by low-rank factorisations from their weights' truncated SVD.
 *
 * <ul>
 *   <li>Linear {@code W (out x in)}: {@code W ~ (U_r S_r)(V_r^T)}, two linear layers {@code in -> r -> out}.</li>
 *   <li>Convolution {@code W (out x in x k x k)}: the channel decomposition of Zhang et al. (TPAMI 2016,
 *   https://arxiv.org/abs/1505.06798) in its data-free form: the {@code out x (in k k)} matrix is
 *   factorised, giving a {@code k x k} convolution with {@code r} filters followed by a {@code 1 x 1}
 *   convolution {@code r -> out} carrying the bias. (The paper's asymmetric, response-based solver
 *   needs calibration data; this is its weight-SVD initialisation.)</li>
 * </ul>
 *
 * <p>At full rank both reproduce the layer exactly. Rank from a target speed-up {@code s}: the
 * largest r with {@code MACs(factorised) <= MACs(original) / s}; or from an energy fraction of the
 * squared singular values. A layer is kept when no rank saves MACs, and grouped convolutions are
 * never decomposed. The replacement node keeps the layer's name, its parts are {@code 0} and {@code 1}.
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

    static boolean eligible(LayerSpec n, String layers, String path, String last) {
        if (path.equals(last)) {
            return false;
        }
        if (n instanceof Layers.Conv c) {
            return !layers.equals("linear") && c.groups() == 1;
        }
        return n instanceof Layers.Dense && !layers.equals("conv");
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
        return factorise(spec, s, null, null).spec();
    }

    /**
     * Decomposes a trained network.
     *
     * @param net the network
     * @param s the settings
     * @return the new network
     */
    public static Network decompose(Network net, LowRankSettings s) {
        try (NDManager m = NDManager.newBaseManager()) {
            Factorised f = factorise(net.spec(), s, net, m);
            // Weights: the original tensor where the name still exists, the factors otherwise.
            Map<String, NDArray> weights = new LinkedHashMap<>();
            for (String name : f.spec().parameters().keySet()) {
                weights.put(name, f.factors().containsKey(name) ? f.factors().get(name) : net.weights().get(name));
            }
            return Network.of(f.spec().withName("lowrank-" + net.spec().name()), net.classes(), weights,
                    "low-rank decomposition");
        }
    }

    private static Factorised factorise(NetworkSpec spec, LowRankSettings s, Network weights, NDManager m) {
        String last = null;
        for (SpecTraversal.Visited v : spec.nodes()) {
            if (v.node() instanceof Layers.Conv || v.node() instanceof Layers.Dense) {
                last = v.path();
            }
        }
        final String output = last;
        Map<String, NDArray> factors = new HashMap<>();
        int[] changed = {0};
        NetworkSpec out = SpecRewriter.rewrite(spec, (path, leaf, in) -> {
            if (!eligible(leaf, s.layers(), path, output)) {
                return leaf;
            }
            int o;
            int inner;
            if (leaf instanceof Layers.Conv c) {
                o = c.out();
                inner = c.in() * c.kernel().h() * c.kernel().w();
            } else {
                Layers.Dense d = (Layers.Dense) leaf;
                o = d.out();
                inner = d.in();
            }
            Linalg.Svd svd = weights == null ? null
                    : Linalg.svd(weights.weight(SpecTraversal.paramName(path, "weight")).toFloatArray(), o, inner);
            int r = s.energy() > 0 && svd != null ? rankForEnergy(svd.s(), s.energy())
                    : rankForSpeedup(o, inner, s.targetSpeedup());
            if (r <= 0 || (long) r * (inner + o) >= (long) o * inner) {
                return leaf;
            }
            changed[0]++;
            LayerSpec replacement = leaf instanceof Layers.Conv c
                    ? Layers.Sequential.of(c.name(),
                            new Layers.Conv("0", c.in(), r, c.kernel(), c.stride(), c.padding(), 1, false),
                            new Layers.Conv("1", r, c.out(), Hw.of(1), Hw.of(1), Hw.of(0), 1, c.bias()))
                    : Layers.Sequential.of(leaf.name(),
                            new Layers.Dense("0", inner, r, false),
                            new Layers.Dense("1", r, o, ((Layers.Dense) leaf).bias()));
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
                Shape fs = leaf instanceof Layers.Conv c ? new Shape(r, c.in(), c.kernel().h(), c.kernel().w())
                        : new Shape(r, inner);
                Shape ss = leaf instanceof Layers.Conv ? new Shape(o, r, 1, 1) : new Shape(o, r);
                factors.put(SpecTraversal.paramName(path, "0.weight"), m.create(first, fs));
                factors.put(SpecTraversal.paramName(path, "1.weight"), m.create(second, ss));
                String bias = SpecTraversal.paramName(path, "bias");
                if (weights.weights().containsKey(bias)) {
                    factors.put(SpecTraversal.paramName(path, "1.bias"), weights.weight(bias));
                }
            }
            return replacement;
        });
        if (changed[0] == 0) {
            throw new InvalidSettingException("strategy.lowrank.targetSpeedup", s.targetSpeedup(),
                    "no layer of " + spec.name() + " can be factorised to save MACs with these settings");
        }
        return new Factorised(out, factors);
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

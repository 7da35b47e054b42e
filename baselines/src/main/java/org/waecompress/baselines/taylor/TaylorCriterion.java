package org.waecompress.baselines.taylor;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.Layers;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SpecRewriter;
import org.waecompress.spi.spec.SpecTraversal;
import org.waecompress.spi.train.TrainLoss;

/**
 * Molchanov et al.'s Taylor criterion (ICLR 2017, https://arxiv.org/abs/1611.06440) for the output
 * channels of convolutions: {@code |(1/M) sum_m a_m dL/da_m|} per feature map, accumulated over
 * batches (activation times gradient summed over batch and positions, divided by batch size and
 * positions, summed over batches, absolute value at the end, as the reference implementation does),
 * then L2-normalised within each layer so layers compare.
 *
 * <p>The gradient with respect to the activation is read from a gate of ones multiplied into each
 * scored convolution's output ({@link ChannelGate}): {@code dL/dg_c} is exactly that sum.
 */
public final class TaylorCriterion {

    private TaylorCriterion() {}

    /**
     * Returns the spec with a gate after each listed convolution (parameter names unchanged).
     *
     * @param spec the spec
     * @param layers convolution paths
     * @return the gated spec
     */
    static NetworkSpec gated(NetworkSpec spec, List<String> layers) {
        return SpecRewriter.rewrite(spec, (p, leaf, in) -> {
            if (layers.contains(p) && leaf instanceof Layers.Conv c) {
                Layers.Conv inner = new Layers.Conv("", c.in(), c.out(), c.kernel(), c.stride(), c.padding(),
                        c.groups(), c.bias());
                return Layers.Sequential.of(c.name(), inner, new ChannelGate("gate", c.out()));
            }
            return leaf;
        });
    }

    /**
     * Computes raw (not normalised) scores.
     *
     * @param net the network
     * @param layers convolution paths to score
     * @param data training images
     * @param batches how many batches to accumulate
     * @param batchSize images per batch
     * @param offset where in the data to start (batches wrap around)
     * @return per layer, one score per output channel
     */
    public static Map<String, double[]> rawScores(Network net, List<String> layers, ImageDataset data, int batches,
            int batchSize, int offset) {
        NetworkSpec g = gated(net.spec(), layers);
        Map<String, double[]> acc = new LinkedHashMap<>();
        Map<String, Long> positions = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> w = new LinkedHashMap<>(net.weights());
            for (SpecTraversal.Visited v : g.nodes()) {
                if (v.node() instanceof ChannelGate gate) {
                    w.put(SpecTraversal.paramName(v.path(), "weight"), m.ones(new Shape(gate.channels())));
                    String layer = v.path().substring(0, v.path().length() - ".gate".length());
                    acc.put(layer, new double[gate.channels()]);
                    positions.put(layer, v.in().get(1) * v.in().get(2));
                }
            }
            try (Network gatedNet = Network.of(g, net.classes(), w, "taylor gates");
                    BuiltNetwork b = gatedNet.build(m)) {
                Map<String, Parameter> gates = new LinkedHashMap<>();
                b.parameters().forEach((k, p) -> {
                    if (k.endsWith(".gate.weight")) {
                        gates.put(k.substring(0, k.length() - ".gate.weight".length()), p);
                    } else {
                        p.freeze(true);
                    }
                });
                for (int i = 0; i < batches; i++) {
                    int n = Math.min(batchSize, data.size());
                    int[] idx = new int[n];
                    for (int j = 0; j < n; j++) {
                        idx[j] = (offset + i * n + j) % data.size();
                    }
                    try (NDManager sm = m.newSubManager()) {
                        NDList xy = data.batch(sm, idx);
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray logits = b.forward(new NDList(xy.get(0)), false).head();
                            gc.backward(TrainLoss.crossEntropy(logits, xy.get(1)));
                        }
                        for (Map.Entry<String, Parameter> e : gates.entrySet()) {
                            try (NDArray grad = e.getValue().getArray().getGradient()) {
                                float[] v = grad.toFloatArray();
                                double[] a = acc.get(e.getKey());
                                double norm = (double) n * positions.get(e.getKey());
                                for (int c = 0; c < v.length; c++) {
                                    a[c] += v[c] / norm;
                                }
                                grad.subi(grad);
                            }
                        }
                    }
                }
            }
        }
        for (double[] a : acc.values()) {
            for (int c = 0; c < a.length; c++) {
                a[c] = Math.abs(a[c]) / batches;
            }
        }
        return acc;
    }

    /**
     * Normalises scores within each layer by their L2 norm.
     *
     * @param raw raw scores
     * @return normalised copies
     */
    public static Map<String, double[]> normalise(Map<String, double[]> raw) {
        Map<String, double[]> out = new LinkedHashMap<>();
        raw.forEach((k, v) -> {
            double s = 0;
            for (double x : v) {
                s += x * x;
            }
            double n = Math.sqrt(s);
            double[] c = v.clone();
            for (int i = 0; i < c.length; i++) {
                c[i] = n > 0 ? c[i] / n : 0;
            }
            out.put(k, c);
        });
        return out;
    }
}

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
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.device.EngineLock;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.ActivationSpec;
import org.waecompress.spi.spec.BatchNormSpec;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecRewriter;
import org.waecompress.spi.spec.SpecTraversal;
import org.waecompress.spi.train.TrainLoss;

/**
 * Molchanov et al.'s Taylor criterion (ICLR 2017, https://arxiv.org/abs/1611.06440) for the output
 * channels of convolutions: per example, {@code |(1/M) sum_m a_m dC/da_m|} over the M positions of the
 * feature map, averaged over the examples of the batches scored, then L2-normalised within each layer
 * so layers compare. The feature map is the one pruning removes: after the convolution's batch-norm
 * and nonlinearity when they follow it (scoring the raw convolution output of a batch-norm network
 * would score a change the batch-norm turns into a constant), else after its batch-norm (a residual
 * branch's last convolution, whose nonlinearity follows the addition), else the convolution's output.
 *
 * <p>The gradient with respect to the activation is read from a gate of ones, one per example and
 * channel, multiplied into the scored map ({@link ChannelGate}): {@code dL/dg_{n,c}} is that example's
 * sum. The batch loss is the mean of the examples' losses, so the example's own derivative is n times it.
 */
public final class TaylorCriterion {

    private TaylorCriterion() {}

    /**
     * Returns the spec with a per-example gate on each listed convolution's feature map (parameter
     * names unchanged: the node the gate follows becomes a transparent sequence of itself and the
     * gate), and the gate's path for each convolution.
     *
     * @param spec the spec
     * @param layers convolution paths
     * @param batch the batch size of the gates
     * @param gates filled with convolution path to gate path
     * @return the gated spec
     */
    static NetworkSpec gated(NetworkSpec spec, List<String> layers, int batch, Map<String, String> gates) {
        Map<String, String> target = new LinkedHashMap<>();
        for (SpecTraversal.Visited v : spec.nodes()) {
            if (!(v.node() instanceof SequentialSpec seq)) {
                continue;
            }
            List<LayerSpec> kids = seq.layers();
            for (int i = 0; i < kids.size(); i++) {
                String p = SpecTraversal.childPath(v.path(), kids.get(i), i);
                if (!layers.contains(p) || !(kids.get(i) instanceof ConvSpec)) {
                    continue;
                }
                int at = i;
                if (at + 1 < kids.size() && kids.get(at + 1) instanceof BatchNormSpec) {
                    at++;
                }
                if (at + 1 < kids.size() && kids.get(at + 1) instanceof ActivationSpec) {
                    at++;
                }
                target.put(SpecTraversal.childPath(v.path(), kids.get(at), at), p);
            }
        }
        for (String p : layers) {
            if (!target.containsValue(p)) {
                target.put(p, p); // not in a sequence: the convolution's own output
            }
        }
        return SpecRewriter.rewrite(spec, (p, leaf, in) -> {
            String conv = target.get(p);
            if (conv == null) {
                return leaf;
            }
            gates.put(conv, p.isEmpty() ? "gate" : p + ".gate");
            int channels = leaf instanceof ConvSpec c ? c.out() : (int) in.get(0);
            return SequentialSpec.of(leaf.name(), unnamed(leaf), new ChannelGate("gate", channels, batch));
        });
    }

    /** The same node with an empty (transparent) name. */
    private static LayerSpec unnamed(LayerSpec leaf) {
        if (leaf instanceof ConvSpec c) {
            return new ConvSpec("", c.in(), c.out(), c.kernel(), c.stride(), c.padding(), c.groups(), c.bias());
        }
        if (leaf instanceof BatchNormSpec b) {
            return new BatchNormSpec("", b.channels(), b.affine(), b.eps(), b.momentum());
        }
        if (leaf instanceof ActivationSpec a) {
            return new ActivationSpec("", a.kind());
        }
        throw new IllegalArgumentException("cannot gate a " + leaf.type());
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
        int n = Math.min(batchSize, data.size());
        Map<String, String> gatePaths = new LinkedHashMap<>();
        NetworkSpec g = gated(net.spec(), layers, n, gatePaths);
        Map<String, double[]> acc = new LinkedHashMap<>();
        Map<String, Long> positions = new LinkedHashMap<>();
        try (NDManager m = Devices.newManager()) {
            Map<String, NDArray> w = new LinkedHashMap<>(net.weights());
            Map<String, String> convOfGate = new LinkedHashMap<>();
            gatePaths.forEach((conv, gate) -> convOfGate.put(gate, conv));
            for (SpecTraversal.Visited v : g.nodes()) {
                if (v.node() instanceof ChannelGate gate) {
                    w.put(SpecTraversal.paramName(v.path(), "weight"), m.ones(new Shape(n, gate.channels())));
                    String layer = convOfGate.get(v.path());
                    acc.put(layer, new double[gate.channels()]);
                    positions.put(layer, v.in().get(1) * v.in().get(2));
                }
            }
            try (Network gatedNet = Network.of(g, net.classes(), w, "taylor gates");
                    BuiltNetwork b = gatedNet.build(m)) {
                Map<String, Parameter> gates = new LinkedHashMap<>();
                b.parameters().forEach((k, p) -> {
                    String gate = k.endsWith(".weight") ? k.substring(0, k.length() - ".weight".length()) : k;
                    if (convOfGate.containsKey(gate)) {
                        gates.put(convOfGate.get(gate), p);
                    } else {
                        p.freeze(true);
                    }
                });
                for (int i = 0; i < batches; i++) {
                    int[] idx = new int[n];
                    for (int j = 0; j < n; j++) {
                        idx[j] = (offset + i * n + j) % data.size();
                    }
                    try (NDManager sm = m.newSubManager();
                            EngineLock.Held held = EngineLock.hold()) {
                        NDList xy = data.batch(sm, idx);
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray logits = b.forward(new NDList(xy.get(0)), false).head();
                            gc.backward(TrainLoss.crossEntropy(logits, xy.get(1)));
                        }
                        for (Map.Entry<String, Parameter> e : gates.entrySet()) {
                            try (NDArray grad = e.getValue().getArray().getGradient()) {
                                float[] v = grad.toFloatArray();
                                double[] a = acc.get(e.getKey());
                                int c = a.length;
                                // example k's own derivative is n times the mean loss's; averaged over the n examples
                                double scale = (double) n / positions.get(e.getKey()) / n;
                                for (int k = 0; k < n; k++) {
                                    for (int ch = 0; ch < c; ch++) {
                                        a[ch] += Math.abs(v[k * c + ch]) * scale;
                                    }
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
                a[c] /= batches;
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

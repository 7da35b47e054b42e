package org.waecompress.baselines.int8;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.BatchNormSpec;
import org.waecompress.spi.spec.ConcatSpec;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.Int8Spec;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.QuantRole;
import org.waecompress.spi.spec.QuantizeSpec;
import org.waecompress.spi.spec.ResidualSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecJson;
import org.waecompress.spi.spec.SpecTraversal;

/**
 * Rewrites a network for int8, in three steps that keep every parameter's name:
 *
 * <ol>
 *   <li><b>Pin names.</b> Every node named by its index gets that index as an explicit name, so
 *       that nodes can be removed and inserted without renaming the weights after them.</li>
 *   <li><b>Fold batch-norm</b> into the convolution or linear layer before it ({@code w * gamma /
 *       sqrt(var + eps)}, {@code (b - mean) * gamma / sqrt(var + eps) + beta}): ONNX Runtime cannot
 *       fuse an int8 convolution that a batch-norm follows, which then runs slower than float.</li>
 *   <li><b>Place quantization points</b> ({@link QuantizeSpec}) where ONNX Runtime's int8 kernels
 *       read and write uint8: before every weighted layer whose input is not quantized yet, after
 *       every ReLU (zero point 0, so the runtime folds the ReLU into the quantization), after
 *       average pools, residual additions and concatenations (their int8 kernels requantize), with
 *       the input's scale after max-pool, flatten and dropout (which keep values as they are); the
 *       weighted layers become {@link Int8Spec} with their input's scale. A node whose {@link
 *       QuantRole} is float stays float between them and is listed. A composite the pass does not
 *       know has each child quantized on its own.</li>
 * </ol>
 *
 * <p>Points are numbered in the order the pass meets them. The same pass runs twice: first with
 * uncalibrated points (scale 0), which a calibration run observes, then with the calibrated ranges.
 *
 * <p>Over 400 lines because the pass is one: batch-norm folding, placing the points by each node's role
 * and converting the weighted layers share the walk over the tree and its numbering of points, which
 * split classes would have to pass between them.
 */
final class Int8Quantizer {

    /** The name of point N is this and N ({@code quant3}); its repetition after a max-pool adds "again". */
    static final String POINT = "quant";

    private Int8Quantizer() {}

    /** A batch-norm folded into the layer before it. */
    record Fold(String layer, String batchNorm, BatchNormSpec bn, boolean layerHadBias) {}

    /** A spec pinned and folded, with what was folded. */
    record Folded(NetworkSpec spec, List<Fold> folds) {}

    /**
     * The planned network.
     *
     * @param spec the spec with quantization points
     * @param points how many points it has (numbered 0..points-1)
     * @param floatNodes the paths and types of nodes left in float
     * @param labels where each point is, by number ("after features.2 (activation)")
     */
    record Planned(NetworkSpec spec, int points, List<String> floatNodes, List<String> labels) {}

    /**
     * Pins names and folds batch-norms in a spec.
     *
     * @param spec the spec
     * @return the folded spec and its folds
     * @throws CompressionException if the spec is already quantized
     */
    static Folded fold(NetworkSpec spec) {
        for (SpecTraversal.Visited v : spec.nodes()) {
            if (v.node() instanceof QuantizeSpec || v.node() instanceof Int8Spec) {
                throw new CompressionException("int8: the network is already quantized (" + v.node().type()
                        + " node at " + (v.path().isEmpty() ? "(root)" : v.path()) + "); int8 runs once, as the last "
                        + "stage of a stack");
            }
        }
        List<Fold> folds = new ArrayList<>();
        LayerSpec root = fold(pin(spec.root()), "", folds);
        return new Folded(new NetworkSpec(spec.name(), spec.inputShape(), root), folds);
    }

    /**
     * Pins names and folds batch-norms in a network, computing the folded weights.
     *
     * @param net the network (unchanged)
     * @return the folded network, owned by the caller
     */
    static Network fold(Network net) {
        Folded f = fold(net.spec());
        Map<String, float[]> changed = new LinkedHashMap<>();
        for (Fold fold : f.folds()) {
            foldWeights(net, fold, changed);
        }
        try (NDManager m = Devices.newManager()) {
            Map<String, NDArray> weights = new LinkedHashMap<>();
            for (Map.Entry<String, org.waecompress.spi.spec.ParamDef> e : f.spec().parameters().entrySet()) {
                float[] v = changed.get(e.getKey());
                weights.put(e.getKey(), v != null ? m.create(v, e.getValue().shape()) : net.weight(e.getKey()));
            }
            return Network.of(f.spec(), net.classes(), weights, "int8: batch-norm folded");
        }
    }

    private static void foldWeights(Network net, Fold fold, Map<String, float[]> out) {
        BatchNormSpec bn = fold.bn();
        int c = bn.channels();
        float[] mean = net.weight(SpecTraversal.paramName(fold.batchNorm(), "running_mean")).toFloatArray();
        float[] var = net.weight(SpecTraversal.paramName(fold.batchNorm(), "running_var")).toFloatArray();
        float[] gamma = bn.affine() ? net.weight(SpecTraversal.paramName(fold.batchNorm(), "weight")).toFloatArray()
                : null;
        float[] beta = bn.affine() ? net.weight(SpecTraversal.paramName(fold.batchNorm(), "bias")).toFloatArray()
                : null;
        String wName = SpecTraversal.paramName(fold.layer(), "weight");
        String bName = SpecTraversal.paramName(fold.layer(), "bias");
        float[] w = net.weight(wName).toFloatArray();
        float[] b = fold.layerHadBias() ? net.weight(bName).toFloatArray() : new float[c];
        int per = w.length / c;
        float[] nb = new float[c];
        for (int ch = 0; ch < c; ch++) {
            double s = (gamma == null ? 1.0 : gamma[ch]) / Math.sqrt(var[ch] + bn.eps());
            for (int i = ch * per; i < (ch + 1) * per; i++) {
                w[i] = (float) (w[i] * s);
            }
            nb[ch] = (float) ((b[ch] - mean[ch]) * s + (beta == null ? 0 : beta[ch]));
        }
        out.put(wName, w);
        out.put(bName, nb);
    }

    /** Gives every index-named node its index as name, recursively. */
    static LayerSpec pin(LayerSpec node) {
        List<LayerSpec> children = node.children();
        if (children.isEmpty()) {
            return node;
        }
        List<LayerSpec> pinned = new ArrayList<>();
        boolean changed = false;
        for (int i = 0; i < children.size(); i++) {
            LayerSpec c = pin(children.get(i));
            if (c.name() == null) {
                c = SpecJson.withName(c, Integer.toString(i));
            }
            changed |= c != children.get(i);
            pinned.add(c);
        }
        return changed ? node.withChildren(pinned) : node;
    }

    private static LayerSpec fold(LayerSpec node, String path, List<Fold> folds) {
        List<LayerSpec> children = node.children();
        if (children.isEmpty()) {
            return node;
        }
        List<LayerSpec> out = new ArrayList<>();
        for (int i = 0; i < children.size(); i++) {
            LayerSpec c = children.get(i);
            String p = SpecTraversal.childPath(path, c, i);
            LayerSpec next = i + 1 < children.size() ? children.get(i + 1) : null;
            LayerSpec folded = fold(c, p, folds);
            if (node instanceof SequentialSpec && next instanceof BatchNormSpec bn) {
                LayerSpec withBias = withBiasOnLast(folded, p, bn, SpecTraversal.childPath(path, next, i + 1), folds);
                if (withBias != null) {
                    out.add(withBias);
                    i++;
                    continue;
                }
            }
            out.add(folded);
        }
        if (node instanceof SequentialSpec s) {
            return new SequentialSpec(s.name(), out);
        }
        return node.withChildren(out);
    }

    /**
     * Folds a batch-norm into the layer that produces its input: the node itself when it is a convolution
     * or linear layer, else the last layer of a sequential node (a decomposed convolution, a block).
     *
     * @return the node with that layer given a bias, or null when no such layer produces the input
     */
    private static LayerSpec withBiasOnLast(LayerSpec c, String path, BatchNormSpec bn, String bnPath,
            List<Fold> folds) {
        if (c instanceof ConvSpec cv) {
            folds.add(new Fold(path, bnPath, bn, cv.bias()));
            return new ConvSpec(cv.name(), cv.in(), cv.out(), cv.kernel(), cv.stride(), cv.padding(), cv.groups(),
                    true);
        }
        if (c instanceof LinearSpec l) {
            folds.add(new Fold(path, bnPath, bn, l.bias()));
            return new LinearSpec(l.name(), l.in(), l.out(), true);
        }
        if (c instanceof SequentialSpec s && !s.layers().isEmpty()) {
            int last = s.layers().size() - 1;
            LayerSpec tail = s.layers().get(last);
            LayerSpec t = withBiasOnLast(tail, SpecTraversal.childPath(path, tail, last), bn, bnPath, folds);
            if (t == null) {
                return null;
            }
            List<LayerSpec> layers = new ArrayList<>(s.layers());
            layers.set(last, t);
            return new SequentialSpec(s.name(), layers);
        }
        return null;
    }

    /**
     * Places quantization points in a folded spec.
     *
     * @param folded the pinned, folded spec
     * @param ranges each point's calibrated range by number, or null for uncalibrated points (scale 0)
     *     that a calibration run observes
     * @return the planned spec
     */
    static Planned plan(NetworkSpec folded, Map<Integer, Calibrators.Range> ranges) {
        Pass pass = new Pass(ranges);
        Piece root = pass.node(folded.root(), "", folded.inputShape(), null);
        LayerSpec r = root.asNode();
        return new Planned(new NetworkSpec(folded.name(), folded.inputShape(), r), pass.next, pass.floatNodes,
                pass.labels);
    }

    /**
     * A node's replacement: points before it, the node, points after it, and the point that now
     * quantizes its output (null when its output is float).
     */
    private record Piece(List<LayerSpec> before, LayerSpec main, List<LayerSpec> after, QuantizeSpec out) {

        /** The replacement as one node: a transparent sequential under the node's name when points were added. */
        LayerSpec asNode() {
            if (before.isEmpty() && after.isEmpty()) {
                return main;
            }
            if (main instanceof SequentialSpec s) {
                List<LayerSpec> all = new ArrayList<>(before);
                all.addAll(s.layers());
                all.addAll(after);
                return new SequentialSpec(s.name(), all);
            }
            List<LayerSpec> all = new ArrayList<>(before);
            all.add(SpecJson.withName(main, ""));
            all.addAll(after);
            return new SequentialSpec(main.name(), all);
        }

        List<LayerSpec> asList() {
            List<LayerSpec> all = new ArrayList<>(before);
            all.add(main);
            all.addAll(after);
            return all;
        }

        Piece withAfter(QuantizeSpec q) {
            List<LayerSpec> a = new ArrayList<>(after);
            a.add(q);
            return new Piece(before, main, a, q);
        }
    }

    /** One run of the placement pass. */
    private static final class Pass {
        private final Map<Integer, Calibrators.Range> ranges;
        private final List<String> floatNodes = new ArrayList<>();
        private final List<String> labels = new ArrayList<>();
        private int next;

        Pass(Map<Integer, Calibrators.Range> ranges) {
            this.ranges = ranges;
        }

        /** A new point: calibrated when ranges are known, else observing. */
        QuantizeSpec point(String where, String path, LayerSpec node) {
            int p = next++;
            labels.add(where + " " + (path.isEmpty() ? "(root)" : path) + " (" + node.type() + ")");
            // named by its number, so that profiles and inspect tables show each point on its own line
            if (ranges == null) {
                return new QuantizeSpec(POINT + p, p, 0f, 0);
            }
            Calibrators.Range r = ranges.get(p);
            return new QuantizeSpec(POINT + p, p, r.scale(), r.zeroPoint());
        }

        /** The point a node reads: its input's, or a new one placed before it (added to {@code before}). */
        QuantizeSpec input(QuantizeSpec inQ, List<LayerSpec> before, String path, LayerSpec node) {
            if (inQ != null) {
                return inQ;
            }
            QuantizeSpec q = point("before", path, node);
            before.add(q);
            return q;
        }

        /** The same quantization again (after an operation that keeps values), only once calibrated. */
        QuantizeSpec copy(QuantizeSpec q) {
            return q.calibrated() ? new QuantizeSpec(q.name() + "again", q.point(), q.scale(), q.zeroPoint()) : null;
        }

        Piece node(LayerSpec node, String path, Shape in, QuantizeSpec inQ) {
            if (node instanceof SequentialSpec s) {
                return sequential(s, path, in, inQ);
            }
            if (node instanceof ResidualSpec r) {
                return residual(r, path, in, inQ);
            }
            if (node instanceof ConcatSpec c) {
                return concat(c, path, in, inQ);
            }
            if (!node.children().isEmpty()) {
                return opaque(node, path, in);
            }
            return leaf(node, path, inQ);
        }

        private Piece leaf(LayerSpec node, String path, QuantizeSpec inQ) {
            List<LayerSpec> before = new ArrayList<>();
            switch (node.quantRole()) {
                case WEIGHTED: {
                    QuantizeSpec q = input(inQ, before, path, node);
                    LayerSpec main = q.calibrated() ? node.withInt8Weights(q.scale()) : node;
                    return new Piece(before, main, List.of(), null);
                }
                case RELU: {
                    QuantizeSpec q = point("after", path, node);
                    return new Piece(before, node, List.of(q), q);
                }
                case PRESERVES: {
                    if (inQ == null) {
                        return new Piece(before, node, List.of(), null);
                    }
                    QuantizeSpec q = copy(inQ);
                    return new Piece(before, node, q == null ? List.of() : List.of(q), inQ);
                }
                case REQUANTIZES: {
                    input(inQ, before, path, node);
                    QuantizeSpec q = point("after", path, node);
                    return new Piece(before, node, List.of(q), q);
                }
                default:
                    floatNodes.add((path.isEmpty() ? "(root)" : path) + " (" + node.type() + ")");
                    return new Piece(before, node, List.of(), null);
            }
        }

        private Piece sequential(SequentialSpec s, String path, Shape in, QuantizeSpec inQ) {
            List<LayerSpec> out = new ArrayList<>();
            QuantizeSpec q = inQ;
            Shape shape = in;
            for (int i = 0; i < s.layers().size(); i++) {
                LayerSpec c = s.layers().get(i);
                String p = SpecTraversal.childPath(path, c, i);
                Piece piece = node(c, p, shape, q);
                out.addAll(piece.asList());
                q = piece.out();
                shape = SpecTraversal.walk(c, p, shape, (a, b, d, e) -> { });
            }
            return new Piece(List.of(), new SequentialSpec(s.name(), out), List.of(), q);
        }

        /** A child whose output must be quantized (it feeds an addition or concatenation). */
        private LayerSpec quantizedBranch(LayerSpec child, String path, Shape in, QuantizeSpec inQ) {
            Piece p = node(child, path, in, inQ);
            if (p.out() == null) {
                p = p.withAfter(point("after", path, child));
            }
            return p.asNode();
        }

        private Piece residual(ResidualSpec r, String path, Shape in, QuantizeSpec inQ) {
            List<LayerSpec> before = new ArrayList<>();
            QuantizeSpec q = input(inQ, before, path, r);
            LayerSpec body = quantizedBranch(r.body(), SpecTraversal.childPath(path, r.body(), 0), in, q);
            LayerSpec shortcut = r.shortcut() == null ? null
                    : quantizedBranch(r.shortcut(), SpecTraversal.childPath(path, r.shortcut(), 1), in, q);
            QuantizeSpec out = point("after", path, r);
            return new Piece(before, new ResidualSpec(r.name(), body, shortcut, r.activation()), List.of(out), out);
        }

        private Piece concat(ConcatSpec c, String path, Shape in, QuantizeSpec inQ) {
            List<LayerSpec> before = new ArrayList<>();
            QuantizeSpec q = input(inQ, before, path, c);
            List<LayerSpec> branches = new ArrayList<>();
            for (int i = 0; i < c.branches().size(); i++) {
                LayerSpec b = c.branches().get(i);
                branches.add(quantizedBranch(b, SpecTraversal.childPath(path, b, i), in, q));
            }
            QuantizeSpec out = point("after", path, c);
            return new Piece(before, new ConcatSpec(c.name(), branches), List.of(out), out);
        }

        /** A composite whose data flow the pass does not know: each child is quantized on its own. */
        private Piece opaque(LayerSpec node, String path, Shape in) {
            List<LayerSpec> children = node.children();
            Map<Integer, Shape> inputs = new LinkedHashMap<>();
            SpecTraversal.walk(node, path, in, (p, n, i, o) -> {
                for (int k = 0; k < children.size(); k++) {
                    if (n == children.get(k) && p.equals(SpecTraversal.childPath(path, children.get(k), k))) {
                        inputs.putIfAbsent(k, i);
                    }
                }
            });
            List<LayerSpec> out = new ArrayList<>();
            for (int k = 0; k < children.size(); k++) {
                LayerSpec c = children.get(k);
                Shape ci = inputs.get(k);
                out.add(ci == null ? c : node(c, SpecTraversal.childPath(path, c, k), ci, null).asNode());
            }
            floatNodes.add((path.isEmpty() ? "(root)" : path) + " (" + node.type() + ": its own operations between "
                    + "its parts)");
            return new Piece(List.of(), node.withChildren(out), List.of(), null);
        }
    }
}

package org.waecompress.experiments.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnx.proto.OnnxMl;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.error.DataException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.ActivationSpec;
import org.waecompress.spi.spec.BatchNormSpec;
import org.waecompress.spi.spec.ConcatSpec;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.FlattenSpec;
import org.waecompress.spi.spec.GateSpec;
import org.waecompress.spi.spec.GlobalAvgPoolSpec;
import org.waecompress.spi.spec.HeightWidth;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.ParamDef;
import org.waecompress.spi.spec.PoolSpec;
import org.waecompress.spi.spec.ResidualSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecException;
import org.waecompress.spi.spec.SpecTraversal;

/**
 * Reads an ONNX file into a {@link Network}: the graph of a CNN classifier mapped onto the spec tree,
 * the file's initializers as the network's weights.
 *
 * <p>A file waec exported carries its spec in its metadata; it is read back as that spec with the
 * weights of the initializers of the same names (every one checked). Any other file is mapped
 * operator by operator: a chain of operators becomes a sequence; a value read by several operators is
 * a fork, and the first value every path from it passes through (its immediate post-dominator) is
 * where the branches join, an {@code Add} (a residual block, with a following {@code Relu} as its
 * activation) or a {@code Concat} (a concat block, an identity branch being an empty sequence). A
 * {@code Concat} of values that extends an earlier {@code Concat} (DenseNet's) is read as the earlier
 * one concatenated with the new values. Leaves keep the file's names: a layer whose weight
 * initializer is {@code NAME.weight} is named {@code NAME} (so a PyTorch export keeps the {@code
 * state_dict} names), else the name comes from the node's scope ({@code /layer1/layer1.0/conv1/Conv}
 * is {@code layer1.0.conv1}). Containers are transparent (empty names), so a leaf's path is its name.
 *
 * <p>Anything else is one {@link DataException} naming the file, the node and what the importer
 * supports: never a partial network. Over 400 lines because the structure parse and each operator's
 * mapping belong together; reading the file is {@link OnnxGraph}.
 */
public final class OnnxImport {

    /** The operators the importer maps (the default domain). */
    public static final List<String> OPERATORS = List.of("Conv", "BatchNormalization", "Relu", "Clip", "Sigmoid",
            "Tanh", "HardSigmoid", "HardSwish", "MaxPool", "AveragePool", "GlobalAveragePool", "Gemm", "MatMul",
            "Add", "Mul", "Flatten", "Reshape", "Concat", "Dropout", "Identity", "Constant", "Softmax", "Pad");

    /**
     * An imported network and what the import did that a user should know.
     *
     * @param network the network; the caller closes it
     * @param notes one line per notable step (a dropped final Softmax, the spec read from waec's metadata)
     * @param softmaxDropped whether a final Softmax was dropped (the network gives the logits it normalised)
     */
    public record Imported(Network network, List<String> notes, boolean softmaxDropped) implements AutoCloseable {
        @Override
        public void close() {
            network.close();
        }
    }

    private final OnnxGraph g;
    private final Map<String, List<OnnxGraph.Op>> consumers = new HashMap<>();
    private final Map<String, OnnxGraph.Op> producer = new HashMap<>();
    private final Map<String, Integer> order = new HashMap<>();
    private final Map<String, String> ipdom = new HashMap<>();
    private final Map<String, float[]> weights = new LinkedHashMap<>();
    private final Set<String> names = new HashSet<>();
    private final List<String> notes = new ArrayList<>();
    private String output;
    private boolean softmaxDropped;

    private OnnxImport(OnnxGraph g) {
        this.g = g;
    }

    /**
     * Imports a file.
     *
     * @param file the {@code .onnx} file
     * @return the network and notes
     * @throws DataException naming the file and the node for anything the importer does not take
     */
    public static Imported read(Path file) {
        try {
            OnnxGraph g = OnnxGraph.read(file);
            NetworkSpec meta = metadataSpec(g);
            if (meta != null) {
                return fromMetadata(g, meta);
            }
            return new OnnxImport(g).importGraph();
        } catch (DataException e) {
            throw e;
        } catch (SpecException e) {
            throw new DataException(file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // a value the checks above did not foresee (a damaged attribute or tensor): still one line naming the file
            throw new DataException(file + ": cannot import it (" + e.getClass().getSimpleName() + ": "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + "); the file may be damaged",
                    e);
        }
    }

    /** The spec in a waec-exported file's metadata, or null. */
    private static NetworkSpec metadataSpec(OnnxGraph g) {
        try {
            return OnnxExport.spec(g.model);
        } catch (SpecException e) {
            throw new DataException(g.file + ": its waecompress metadata holds no spec this version reads ("
                    + e.getMessage() + "); export it again with this version of waec");
        }
    }

    private static Imported fromMetadata(OnnxGraph g, NetworkSpec spec) {
        int classes = (int) spec.outputShape().get(0);
        for (OnnxMl.StringStringEntryProto e : g.model.getMetadataPropsList()) {
            if (e.getKey().equals(OnnxExport.CLASSES_KEY)) {
                try {
                    classes = Integer.parseInt(e.getValue().trim());
                } catch (NumberFormatException ex) {
                    throw new DataException(g.file + ": its metadata " + OnnxExport.CLASSES_KEY + " = '" + e.getValue()
                            + "' is not a number of classes");
                }
            }
        }
        Map<String, float[]> values = new LinkedHashMap<>();
        for (Map.Entry<String, ParamDef> p : spec.parameters().entrySet()) {
            OnnxGraph.Tensor t = g.constants.get(p.getKey());
            if (t == null) {
                throw new DataException(g.file + ": exported by waec, but has no initializer '" + p.getKey()
                        + "' for its spec's parameter (an int8 export keeps no float weights: import the float "
                        + "network's file)");
            }
            if (!new Shape(t.dims()).equals(p.getValue().shape())) {
                throw new DataException(g.file + ": initializer '" + p.getKey() + "' has shape " + new Shape(t.dims())
                        + " but its node declares " + p.getValue().shape());
            }
            values.put(p.getKey(), t.floats());
        }
        return new Imported(network(spec, classes, values, g.file), List.of("spec read from the file's waecompress "
                + "metadata, weights from its initializers"), false);
    }

    private static Network network(NetworkSpec spec, int classes, Map<String, float[]> values, Path file) {
        try (NDManager m = Devices.newManager()) {
            Map<String, NDArray> w = new LinkedHashMap<>();
            for (Map.Entry<String, ParamDef> p : spec.parameters().entrySet()) {
                w.put(p.getKey(), m.create(values.get(p.getKey()), p.getValue().shape()));
            }
            return Network.of(spec, classes, w, file.toString());
        }
    }

    private Imported importGraph() {
        output = g.resolve(g.output);
        OnnxGraph.Op last = producerOf(output);
        if (last != null && last.type().equals("Softmax")) {
            output = last.data().get(0);
            softmaxDropped = true;
            notes.add("final Softmax (" + last.label() + ") dropped: the network gives the logits it normalises "
                    + "(the same top-1); training and the harness's accuracy work on logits");
        }
        index();
        Shape in = new Shape(g.inputShape);
        List<LayerSpec> items = new ArrayList<>();
        Shape out = chain(g.input, output, in, items);
        if (out.dimension() != 1) {
            throw new DataException(g.file + ": its output is " + out + " per image, not (classes); the importer "
                    + "takes classifiers");
        }
        String name = stem(g.file);
        NetworkSpec spec;
        try {
            spec = new NetworkSpec(name, in, new SequentialSpec("", items));
        } catch (SpecException e) {
            throw new DataException(g.file + ": " + e.getMessage());
        }
        return new Imported(network(spec, (int) out.get(0), weights, g.file), List.copyOf(notes), softmaxDropped);
    }

    private static String stem(Path file) {
        String n = file.getFileName().toString();
        return n.endsWith(".onnx") ? n.substring(0, n.length() - 5) : n;
    }

    private OnnxGraph.Op producerOf(String value) {
        for (OnnxGraph.Op o : g.ops) {
            if (o.node().getOutputList().contains(value)) {
                return o;
            }
        }
        return null;
    }

    /** Live operators (those the output depends on), their consumers, order and post-dominators. */
    private void index() {
        Set<String> live = new HashSet<>(List.of(output));
        List<OnnxGraph.Op> kept = new ArrayList<>();
        for (int i = g.ops.size() - 1; i >= 0; i--) {
            OnnxGraph.Op o = g.ops.get(i);
            if (o.node().getOutputList().stream().anyMatch(live::contains) && !o.out().equals(g.input)) {
                kept.add(0, o);
                live.addAll(o.data());
            }
        }
        if (!live.contains(g.input)) {
            throw new DataException(g.file + ": its output does not depend on its input '" + g.input + "'");
        }
        // a Concat that extends an earlier one reads that one's value instead of the values it repeats
        Map<List<String>, String> concats = new HashMap<>();
        List<OnnxGraph.Op> ops = new ArrayList<>();
        for (OnnxGraph.Op o : kept) {
            OnnxGraph.Op op = o;
            if (o.type().equals("Concat") && o.consts().isEmpty()) {
                List<String> d = o.data();
                for (int k = d.size() - 1; k >= 2; k--) {
                    String prefix = concats.get(d.subList(0, k));
                    if (prefix != null) {
                        List<String> rest = new ArrayList<>(List.of(prefix));
                        rest.addAll(d.subList(k, d.size()));
                        op = new OnnxGraph.Op(o.index(), o.node(), rest, o.consts(), rest);
                        break;
                    }
                }
                concats.put(List.copyOf(d), o.out());
            }
            ops.add(op);
        }
        for (OnnxGraph.Op o : ops) {
            if (o.type().equals("Concat") && !o.consts().isEmpty()) {
                throw unsupported(o, "concatenates a constant; the importer maps concats of branches");
            }
            if (o.type().equals("Reshape") && o.constAt(1, g.constants) == null) {
                throw unsupported(o, "computes its target shape in the graph; export with torch.flatten(x, 1) (or "
                        + "x.reshape(x.size(0), -1) without dynamic axes)");
            }
        }
        order.put(g.input, 0);
        for (OnnxGraph.Op o : ops) {
            if (!OPERATORS.contains(o.type())) {
                throw unsupported(o, "is not an operator the importer maps");
            }
            order.put(o.out(), order.size());
            producer.put(o.out(), o);
            for (String d : new LinkedHashSet<>(o.data())) {
                consumers.computeIfAbsent(d, k -> new ArrayList<>()).add(o);
            }
        }
        List<String> values = new ArrayList<>(order.keySet());
        values.sort((a, b) -> Integer.compare(order.get(b), order.get(a)));
        for (String v : values) {
            if (v.equals(output)) {
                ipdom.put(v, v);
                continue;
            }
            String d = null;
            for (OnnxGraph.Op c : consumers.getOrDefault(v, List.of())) {
                d = d == null ? c.out() : intersect(d, c.out());
            }
            ipdom.put(v, d == null ? output : d);
        }
    }

    private String intersect(String a, String b) {
        String x = a;
        String y = b;
        while (!x.equals(y)) {
            while (order.get(x) < order.get(y)) {
                x = ipdom.get(x);
            }
            while (order.get(y) < order.get(x)) {
                y = ipdom.get(y);
            }
        }
        return x;
    }

    /** Maps the operators from value {@code from} up to value {@code to} into {@code items}; returns the shape. */
    private Shape chain(String from, String to, Shape in, List<LayerSpec> items) {
        String v = from;
        Shape s = in;
        while (!v.equals(to)) {
            List<OnnxGraph.Op> cons = consumers.getOrDefault(v, List.of());
            if (cons.isEmpty()) {
                throw new DataException(g.file + ": value '" + v + "' leads nowhere before '" + to + "'");
            }
            if (cons.size() == 1 && cons.get(0).data().size() == 1) {
                Applied a = apply(cons.get(0), s, items);
                v = a.value();
                s = a.shape();
                continue;
            }
            String join = ipdom.get(v);
            OnnxGraph.Op j = producer.get(join);
            if (order.get(join) > order.get(to) || j == null || cons.size() == 1) {
                throw new DataException(g.file + ": the branches that read '" + v + "' do not join in one Add, "
                        + "Concat or Mul inside their block (the tree of residual, concat and gate blocks cannot "
                        + "express this graph; " + (cons.size() == 1 ? cons.get(0).label() + " reads values of two "
                        + "blocks)" : "they meet at '" + join + "')"));
            }
            Fork f = fork(v, j, s);
            items.add(f.node);
            s = f.out;
            v = f.value;
        }
        return s;
    }

    private record Step(LayerSpec node, String value) {}

    /** The value an applied operator gives and its shape. */
    private record Applied(String value, Shape shape) {}

    /** Maps one operator (or fused pair) reading a value of shape {@code s}, adding its leaf to {@code items}. */
    private Applied apply(OnnxGraph.Op op, Shape s, List<LayerSpec> items) {
        Step st = leaf(op, s);
        if (st.node == null) {
            return new Applied(st.value, s);
        }
        items.add(st.node);
        return new Applied(st.value, route(st.node, s, op));
    }

    private record Fork(LayerSpec node, Shape out, String value) {}

    /** The block from a fork at {@code v} to the Add or Concat {@code j} where its branches join. */
    private Fork fork(String v, OnnxGraph.Op j, Shape s) {
        if (!j.type().equals("Add") && !j.type().equals("Concat") && !j.type().equals("Mul")) {
            throw unsupported(j, "joins branches; the importer joins them with Add (residual), Mul (a gate) or "
                    + "Concat only");
        }
        if (j.type().equals("Mul") && (j.data().size() != 2 || !j.data().contains(v))) {
            throw unsupported(j, "multiplies two computed branches; the importer maps a gate, x * gate(x) (SiLU, "
                    + "hard-swish, squeeze-excitation)");
        }
        if (j.type().equals("Concat")) {
            long axis = j.i("axis", 1);
            if (axis != 1 && axis != -3) {
                throw unsupported(j, "concatenates along axis " + axis + "; the importer takes channel concats "
                        + "(axis 1)");
            }
        }
        List<OnnxGraph.Op> cons = consumers.get(v);
        List<String> ends = j.data();
        if (new HashSet<>(ends).size() != ends.size() || (j.type().equals("Add") && ends.size() != 2)) {
            throw unsupported(j, "reads the same value twice or is not an Add of two branches");
        }
        List<List<LayerSpec>> branches = new ArrayList<>();
        Set<OnnxGraph.Op> used = new HashSet<>();
        for (String end : ends) {
            List<LayerSpec> b = new ArrayList<>();
            if (end.equals(v)) {
                used.add(j);
            } else {
                OnnxGraph.Op first = null;
                for (OnnxGraph.Op c : cons) {
                    if (c != j && reaches(c.out(), end, order.get(j.out()))) {
                        if (first != null) {
                            throw new DataException(g.file + ": two operators that read '" + v + "' (" + first.label()
                                    + ", " + c.label() + ") lead into the same input of " + j.label() + "; the "
                                    + "tree of residual, concat and gate blocks cannot express it");
                        }
                        first = c;
                    }
                }
                if (first == null || first.data().size() != 1) {
                    throw new DataException(g.file + ": input '" + end + "' of " + j.label() + " does not come from "
                            + "the fork at '" + v + "'; the tree of residual, concat and gate blocks cannot express "
                            + "it");
                }
                used.add(first);
                Applied a = apply(first, s, b);
                chain(a.value(), end, a.shape(), b);
            }
            branches.add(b);
        }
        if (used.size() != cons.size()) {
            throw new DataException(g.file + ": '" + v + "' is read by " + cons.size() + " operators but only "
                    + used.size() + " lead into " + j.label() + "; the tree cannot express the others");
        }
        LayerSpec node;
        String value = j.out();
        if (j.type().equals("Concat")) {
            node = new ConcatSpec("", branches.stream().map(b -> (LayerSpec) new SequentialSpec("", b)).toList());
        } else if (j.type().equals("Mul")) {
            node = new GateSpec("", new SequentialSpec("", branches.get(ends.get(0).equals(v) ? 1 : 0)));
        } else {
            String act = null;
            List<OnnxGraph.Op> after = consumers.getOrDefault(value, List.of());
            if (after.size() == 1 && after.get(0).type().equals("Relu") && !value.equals(output)) {
                act = "relu";
                value = after.get(0).out();
            }
            int body = branches.get(0).size() >= branches.get(1).size() ? 0 : 1;
            List<LayerSpec> side = branches.get(1 - body);
            node = new ResidualSpec("", new SequentialSpec("", branches.get(body)), side.isEmpty()
                    && ends.contains(v) ? null : new SequentialSpec("", side), act);
        }
        return new Fork(node, route(node, s, j), value);
    }

    /** Whether value {@code to} is reachable from {@code from} without passing order {@code limit}. */
    private boolean reaches(String from, String to, int limit) {
        List<String> stack = new ArrayList<>(List.of(from));
        Set<String> seen = new HashSet<>();
        while (!stack.isEmpty()) {
            String x = stack.remove(stack.size() - 1);
            if (x.equals(to)) {
                return true;
            }
            if (!seen.add(x) || order.get(x) >= limit) {
                continue;
            }
            for (OnnxGraph.Op c : consumers.getOrDefault(x, List.of())) {
                stack.add(c.out());
            }
        }
        return false;
    }

    private Shape route(LayerSpec node, Shape in, OnnxGraph.Op op) {
        try {
            return SpecTraversal.walk(node, "", in, null);
        } catch (SpecException e) {
            throw new DataException(g.file + ": " + op.label() + ": " + e.getMessage());
        }
    }

    private DataException unsupported(OnnxGraph.Op op, String why) {
        return new DataException(g.file + ": " + op.label() + " " + why + " (the importer maps "
                + String.join(", ", OPERATORS) + "; see docs/import.md)");
    }

    /** One operator (or a fused pair) as a leaf, given its input shape; a null node for one that adds nothing. */
    private Step leaf(OnnxGraph.Op op, Shape s) {
        try {
            return mapped(op, s);
        } catch (SpecException e) {
            throw new DataException(g.file + ": " + op.label() + ": " + e.getMessage());
        }
    }

    private Step mapped(OnnxGraph.Op op, Shape s) {
        return switch (op.type()) {
            case "Conv" -> new Step(conv(op, s), op.out());
            case "BatchNormalization" -> new Step(batchNorm(op, s), op.out());
            case "Relu" -> new Step(new ActivationSpec(name(op, null), "relu"), op.out());
            case "Sigmoid" -> new Step(new ActivationSpec(name(op, null), "sigmoid"), op.out());
            case "Tanh" -> new Step(new ActivationSpec(name(op, null), "tanh"), op.out());
            case "HardSwish" -> new Step(new ActivationSpec(name(op, null), "hardswish"), op.out());
            case "HardSigmoid" -> {
                if (Math.abs(op.f("alpha", 0.2) - 1.0 / 6) > 1e-6 || Math.abs(op.f("beta", 0.5) - 0.5) > 1e-6) {
                    throw unsupported(op, "has alpha " + op.f("alpha", 0.2) + ", beta " + op.f("beta", 0.5)
                            + "; the importer maps PyTorch's hard sigmoid (alpha 1/6, beta 0.5)");
                }
                yield new Step(new ActivationSpec(name(op, null), "hardsigmoid"), op.out());
            }
            case "Clip" -> new Step(clip(op), op.out());
            case "MaxPool", "AveragePool" -> new Step(pool(op, s), op.out());
            case "GlobalAveragePool" -> globalPool(op, s);
            case "Gemm" -> new Step(gemm(op, s), op.out());
            case "MatMul" -> matMul(op, s);
            case "Flatten" -> {
                long axis = op.i("axis", 1);
                if (axis != 1) {
                    throw unsupported(op, "flattens from axis " + axis + "; the importer takes Flatten(axis=1)");
                }
                yield new Step(new FlattenSpec(name(op, null)), op.out());
            }
            case "Reshape" -> {
                checkFlatten(op, s);
                yield new Step(new FlattenSpec(name(op, null)), op.out());
            }
            case "Concat" -> new Step(null, op.out());
            case "Pad" -> pad(op, s);
            case "Softmax" -> throw unsupported(op, "stands before the output; the importer takes a Softmax only as "
                    + "the last operator (dropped, the network giving logits)");
            case "Add" -> throw unsupported(op, "adds a constant; the importer maps the Add of a residual block's two "
                    + "branches and the bias Add after a MatMul");
            case "Mul" -> throw unsupported(op, "multiplies by a constant; the importer maps a gate, x * gate(x)");
            default -> throw unsupported(op, "cannot stand here (it needs " + op.data().size() + " inputs of one "
                    + "branch, or is not a layer)");
        };
    }

    /**
     * A Pad: nothing when it pads by zero; a zero padding of height and width, equal on opposite sides,
     * folded into the Conv or average pool after it (PyTorch writes a padded average pool so); else refused.
     */
    private Step pad(OnnxGraph.Op op, Shape s) {
        OnnxGraph.Tensor pads = op.constAt(1, g.constants);
        OnnxGraph.Tensor value = op.constAt(2, g.constants);
        if (pads == null || (op.inputs().size() > 3 && !op.inputs().get(3).isEmpty())) {
            throw unsupported(op, "pads by a computed amount or along chosen axes; the importer takes constant pads");
        }
        long[] p = pads.longs();
        if (java.util.Arrays.stream(p).allMatch(x -> x == 0)) {
            return new Step(null, op.out());
        }
        float v = value == null || value.size() == 0 ? 0f : value.floats()[0];
        boolean spatial = p.length == 8 && p[0] == 0 && p[1] == 0 && p[4] == 0 && p[5] == 0 && p[2] == p[6]
                && p[3] == p[7] && p[2] >= 0 && p[3] >= 0;
        List<OnnxGraph.Op> after = consumers.getOrDefault(op.out(), List.of());
        OnnxGraph.Op next = after.size() == 1 && !op.out().equals(output) ? after.get(0) : null;
        boolean folds = next != null && (next.type().equals("Conv") || next.type().equals("AveragePool"));
        if (!op.s("mode", "constant").equals("constant") || v != 0f || !spatial || !folds) {
            throw unsupported(op, "pads by " + java.util.Arrays.toString(p) + " (mode " + op.s("mode", "constant")
                    + ", value " + v + "); the importer folds a zero padding of height and width, equal on opposite "
                    + "sides, into the one Conv or AveragePool after it");
        }
        HeightWidth extra = new HeightWidth((int) p[2], (int) p[3]);
        LayerSpec folded = next.type().equals("Conv") ? conv(next, s, extra) : pool(next, s, extra);
        return new Step(folded, next.out());
    }

    private OnnxGraph.Tensor weight(OnnxGraph.Op op, int i, String what) {
        OnnxGraph.Tensor t = op.constAt(i, g.constants);
        if (t == null) {
            throw unsupported(op, "reads its " + what + " from the graph, not from an initializer; the importer "
                    + "takes constant weights");
        }
        return t;
    }

    private void put(String name, String local, float[] values) {
        weights.put(SpecTraversal.paramName(name, local), values);
    }

    private LayerSpec conv(OnnxGraph.Op op, Shape s) {
        return conv(op, s, HeightWidth.of(0));
    }

    private LayerSpec conv(OnnxGraph.Op op, Shape s, HeightWidth extra) {
        OnnxGraph.Tensor w = weight(op, 1, "weight");
        OnnxGraph.Tensor b = op.constAt(2, g.constants);
        long[] d = w.dims();
        int groups = (int) op.i("group", 1);
        if (d.length != 4) {
            throw unsupported(op, "has a weight of shape " + java.util.Arrays.toString(d) + "; the importer maps "
                    + "2-D convolutions (a 4-D weight)");
        }
        if (s.dimension() != 3 || d[1] * groups != s.get(0)) {
            throw new DataException(g.file + ": " + op.label() + ": weight '" + w.name() + "' of shape "
                    + java.util.Arrays.toString(d) + " with group " + groups + " does not match its input " + s);
        }
        for (long dl : op.ints("dilations", 1, 1)) {
            if (dl != 1) {
                throw unsupported(op, "has dilation " + dl + "; the spec's convolutions have dilation 1");
            }
        }
        String auto = op.s("auto_pad", "NOTSET");
        if (!auto.equals("NOTSET") && !auto.equals("VALID")) {
            throw unsupported(op, "has auto_pad " + auto + "; export with explicit pads");
        }
        HeightWidth own = pads(op);
        HeightWidth pad = new HeightWidth(own.h() + extra.h(), own.w() + extra.w());
        long[] st = twoInts(op, "strides", 1);
        String name = name(op, w.name());
        ConvSpec c = new ConvSpec(name, (int) s.get(0), (int) d[0], new HeightWidth((int) d[2], (int) d[3]),
                new HeightWidth((int) st[0], (int) st[1]), pad, groups, b != null);
        put(name, "weight", w.floats());
        if (b != null) {
            checkVector(op, b, d[0]);
            put(name, "bias", b.floats());
        }
        return c;
    }

    /** An attribute of two integers (height, width), or its default for both. */
    private long[] twoInts(OnnxGraph.Op op, String name, long dflt) {
        long[] v = op.ints(name, dflt, dflt);
        if (v.length != 2) {
            throw unsupported(op, "has " + name + " " + java.util.Arrays.toString(v) + "; the importer maps 2-D "
                    + "operators (two values)");
        }
        return v;
    }

    private HeightWidth pads(OnnxGraph.Op op) {
        long[] p = op.ints("pads", 0, 0, 0, 0);
        if (p.length != 4 || p[0] != p[2] || p[1] != p[3]) {
            throw unsupported(op, "pads " + java.util.Arrays.toString(p) + " unevenly; the spec pads each side "
                    + "alike (top = bottom, left = right)");
        }
        return new HeightWidth((int) p[0], (int) p[1]);
    }

    private void checkVector(OnnxGraph.Op op, OnnxGraph.Tensor t, long n) {
        if (t.size() != n) {
            throw new DataException(g.file + ": " + op.label() + ": '" + t.name() + "' has shape "
                    + java.util.Arrays.toString(t.dims()) + " but the node needs " + n + " values");
        }
    }

    private LayerSpec batchNorm(OnnxGraph.Op op, Shape s) {
        if (op.i("training_mode", 0) != 0 || op.node().getOutputCount() > 1) {
            throw unsupported(op, "is in training mode; export the model in eval mode");
        }
        int c = (int) s.get(0);
        OnnxGraph.Tensor scale = weight(op, 1, "scale");
        String name = name(op, scale.name());
        String[] local = {"weight", "bias", "running_mean", "running_var"};
        for (int i = 0; i < 4; i++) {
            OnnxGraph.Tensor t = weight(op, i + 1, local[i]);
            checkVector(op, t, c);
            put(name, local[i], t.floats());
        }
        return new BatchNormSpec(name, c, true, op.f("epsilon", 1e-5), 1 - op.f("momentum", 0.9));
    }

    private LayerSpec clip(OnnxGraph.Op op) {
        OnnxGraph.Tensor lo = op.constAt(1, g.constants);
        OnnxGraph.Tensor hi = op.constAt(2, g.constants);
        if ((op.inputs().size() > 1 && !op.inputs().get(1).isEmpty() && lo == null)
                || (op.inputs().size() > 2 && !op.inputs().get(2).isEmpty() && hi == null)) {
            throw unsupported(op, "reads its bounds from the graph; the importer takes constant bounds");
        }
        if ((lo != null && lo.size() != 1) || (hi != null && hi.size() != 1)) {
            throw unsupported(op, "has bounds that are not single values");
        }
        double min = lo == null ? Double.NEGATIVE_INFINITY : lo.floats()[0];
        double max = hi == null ? Double.POSITIVE_INFINITY : hi.floats()[0];
        if (min == 0 && max == 6) {
            return new ActivationSpec(name(op, null), "relu6");
        }
        if (min == 0 && max == Double.POSITIVE_INFINITY) {
            return new ActivationSpec(name(op, null), "relu");
        }
        throw unsupported(op, "clips to [" + min + ", " + max + "]; the importer maps Clip(0) as ReLU and "
                + "Clip(0, 6) as ReLU6");
    }

    private LayerSpec pool(OnnxGraph.Op op, Shape s) {
        return pool(op, s, HeightWidth.of(0));
    }

    /** A pool; {@code extra} is a zero padding a Pad before it added, which an average counts. */
    private LayerSpec pool(OnnxGraph.Op op, Shape s, HeightWidth extra) {
        long[] k = op.ints("kernel_shape");
        long[] st = twoInts(op, "strides", 1);
        String auto = op.s("auto_pad", "NOTSET");
        if (k.length != 2 || (!auto.equals("NOTSET") && !auto.equals("VALID"))) {
            throw unsupported(op, "is not a 2-D pool with explicit pads");
        }
        for (long dl : op.ints("dilations", 1, 1)) {
            if (dl != 1) {
                throw unsupported(op, "has dilation " + dl + "; the spec's pools have dilation 1");
            }
        }
        HeightWidth own = pads(op);
        HeightWidth pad = new HeightWidth(own.h() + extra.h(), own.w() + extra.w());
        boolean max = op.type().equals("MaxPool");
        if (max && op.node().getOutputCount() > 1 && !op.node().getOutput(1).isEmpty()) {
            throw unsupported(op, "returns indices; the importer maps MaxPool with one output");
        }
        if (!max && op.i("count_include_pad", 0) == 0 && (own.h() != 0 || own.w() != 0)) {
            throw unsupported(op, "pads without counting the padding (count_include_pad 0); the spec's average "
                    + "pool counts it (PyTorch's default)");
        }
        return new PoolSpec(name(op, null), max ? "max" : "avg", new HeightWidth((int) k[0], (int) k[1]),
                new HeightWidth((int) st[0], (int) st[1]), pad, op.i("ceil_mode", 0) != 0);
    }

    /** GlobalAveragePool: with the Flatten or flattening Reshape after it, to (C); else to (C, 1, 1). */
    private Step globalPool(OnnxGraph.Op op, Shape s) {
        List<OnnxGraph.Op> after = consumers.getOrDefault(op.out(), List.of());
        if (after.size() == 1 && !op.out().equals(output)) {
            OnnxGraph.Op f = after.get(0);
            if ((f.type().equals("Flatten") && f.i("axis", 1) == 1) || (f.type().equals("Reshape")
                    && isFlatten(f, new Shape(s.get(0), 1, 1)))) {
                return new Step(new GlobalAvgPoolSpec(name(op, null)), f.out());
            }
        }
        if (s.dimension() != 3) {
            throw unsupported(op, "reads " + s + ", not a (C, H, W) map");
        }
        return new Step(new GlobalAvgPoolSpec(name(op, null), true), op.out());
    }

    private LayerSpec gemm(OnnxGraph.Op op, Shape s) {
        if (op.i("transA", 0) != 0) {
            throw unsupported(op, "transposes its input (transA); the importer maps x * W^T + b");
        }
        if (s.dimension() != 1) {
            throw unsupported(op, "reads " + s + "; flatten the map first (Flatten, or a Reshape to (batch, -1))");
        }
        OnnxGraph.Tensor w = weight(op, 1, "weight");
        OnnxGraph.Tensor b = op.constAt(2, g.constants);
        long[] d = w.dims();
        if (d.length != 2) {
            throw new DataException(g.file + ": " + op.label() + ": weight '" + w.name() + "' has shape "
                    + java.util.Arrays.toString(d) + "; a Gemm's is (out, in) or (in, out)");
        }
        boolean transB = op.i("transB", 0) != 0;
        long in = transB ? d[1] : d[0];
        long out = transB ? d[0] : d[1];
        if (in != s.get(0)) {
            throw new DataException(g.file + ": " + op.label() + ": weight '" + w.name() + "' of shape "
                    + java.util.Arrays.toString(d) + (transB ? " (transposed)" : "") + " does not match its input "
                    + s);
        }
        float alpha = (float) op.f("alpha", 1);
        float beta = (float) op.f("beta", 1);
        float[] wt = transB ? w.floats() : transpose(w.floats(), (int) d[0], (int) d[1]);
        String name = name(op, w.name());
        put(name, "weight", scale(wt, alpha));
        if (b != null) {
            checkVector(op, b, out);
            put(name, "bias", scale(b.floats(), beta));
        }
        return new LinearSpec(name, (int) in, (int) out, b != null);
    }

    /** MatMul by a constant (in, out) matrix, with the Add of a constant bias after it when there is one. */
    private Step matMul(OnnxGraph.Op op, Shape s) {
        OnnxGraph.Tensor w = op.constAt(1, g.constants);
        if (w == null || w.dims().length != 2 || s.dimension() != 1 || w.dims()[0] != s.get(0)) {
            throw unsupported(op, "is not a product of a (features) vector and a constant (in, out) matrix (input "
                    + s + (w == null ? "" : ", weight " + java.util.Arrays.toString(w.dims())) + ")");
        }
        int in = (int) w.dims()[0];
        int out = (int) w.dims()[1];
        String name = name(op, w.name());
        put(name, "weight", transpose(w.floats(), in, out));
        List<OnnxGraph.Op> after = consumers.getOrDefault(op.out(), List.of());
        if (after.size() == 1 && after.get(0).type().equals("Add") && after.get(0).data().size() == 1
                && after.get(0).consts().size() == 1 && after.get(0).consts().get(0).size() == out
                && !op.out().equals(output)) {
            put(name, "bias", after.get(0).consts().get(0).floats());
            return new Step(new LinearSpec(name, in, out, true), after.get(0).out());
        }
        return new Step(new LinearSpec(name, in, out, false), op.out());
    }

    private void checkFlatten(OnnxGraph.Op op, Shape s) {
        if (!isFlatten(op, s)) {
            OnnxGraph.Tensor t = op.constAt(1, g.constants);
            throw unsupported(op, t == null ? "computes its target shape in the graph; export with "
                    + "torch.flatten(x, 1) (or x.reshape(x.size(0), -1) without dynamic axes)"
                    : "reshapes " + s + " to " + java.util.Arrays.toString(t.longs()) + ", which is not a flatten "
                    + "to (batch, features)");
        }
    }

    private boolean isFlatten(OnnxGraph.Op op, Shape s) {
        OnnxGraph.Tensor t = op.constAt(1, g.constants);
        if (t == null || op.i("allowzero", 0) != 0) {
            return false;
        }
        long[] to = t.longs();
        // (batch, -1), (batch, features) or the same with the batch as 0, -1 or a fixed 1
        boolean batch = to.length == 2 && (to[0] == 0 || to[0] == 1 || to[0] == -1);
        return batch && (to[1] == -1 || to[1] == s.size()) && (to[0] != -1 || to[1] == s.size());
    }

    private static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = a[r * cols + c];
            }
        }
        return t;
    }

    private static float[] scale(float[] a, float f) {
        if (f != 1f) {
            for (int i = 0; i < a.length; i++) {
                a[i] *= f;
            }
        }
        return a;
    }

    /**
     * A leaf's name: the file's weight name less {@code .weight}/{@code .bias}, else the node's scope
     * ({@code /layer1/layer1.0/conv1/Conv} is {@code layer1.0.conv1}), else its type and index; made unique.
     */
    private String name(OnnxGraph.Op op, String weightName) {
        String base = null;
        if (weightName != null && !weightName.startsWith("onnx::")) {
            for (String suffix : List.of(".weight", ".bias")) {
                if (weightName.endsWith(suffix) && weightName.length() > suffix.length()) {
                    base = weightName.substring(0, weightName.length() - suffix.length());
                }
            }
        }
        if (base == null) {
            base = scopeName(op.node().getName(), op.type());
        }
        if (base == null || base.isBlank()) {
            base = op.type() + "_" + op.index();
        }
        String n = base;
        for (int i = 1; !names.add(n); i++) {
            n = base + "_" + i;
        }
        return n;
    }

    static String scopeName(String nodeName, String opType) {
        String n = nodeName.startsWith("/") ? nodeName.substring(1) : nodeName;
        if (n.isEmpty()) {
            return null;
        }
        String[] parts = n.split("/");
        int end = parts.length;
        if (end > 1 && (parts[end - 1].equals(opType) || parts[end - 1].startsWith(opType + "_"))) {
            end--;
        }
        String q = "";
        for (int i = 0; i < end; i++) {
            String p = parts[i].replace(':', '_');
            if (p.isEmpty()) {
                continue;
            }
            q = q.isEmpty() || p.startsWith(q + ".") ? p : q + "." + p;
        }
        return q;
    }
}

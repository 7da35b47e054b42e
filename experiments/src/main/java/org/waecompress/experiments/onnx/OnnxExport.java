package org.waecompress.experiments.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.io.AtomicFiles;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.OnnxContext;
import org.waecompress.spi.spec.OnnxNode;
import org.waecompress.spi.spec.SpecException;
import org.waecompress.spi.spec.SpecJson;
import org.waecompress.spi.spec.SpecTraversal;

/**
 * Writes a {@link Network} as an ONNX model: every node lowers itself ({@link LayerSpec#toOnnx}),
 * every parameter becomes an initializer under its full (torchvision) name, float32 throughout.
 *
 * <p>The graph has one input {@value #INPUT} of shape {@code (batch, C, H, W)}, with the batch a
 * named dimension, and the network's output as {@value #OUTPUT} (plus any extra outputs a node
 * declares). Operators are named {@code PATH/OpType} after the spec node that added them ({@code
 * /OpType} at the root), so ONNX Runtime's profiles map back to the spec. The spec itself travels in
 * the model's metadata ({@value #SPEC_KEY}), so a file says which network it is. Opset {@value
 * #OPSET}, IR version {@value #IR_VERSION}; the format's classes come from {@code
 * org.tribuo:tribuo-util-onnx} (ONNX's own protobuf definitions, compiled).
 *
 * <p>Over 400 lines because it holds the graph builder every node type's lowering calls ({@code OnnxContext}:
 * names, initializers, constants, operators), the model's metadata and the write; the node types lower
 * themselves.
 */
public final class OnnxExport {

    /** The ONNX operator set the lowerings target. */
    public static final int OPSET = 17;
    /** The IR version that goes with {@link #OPSET}. */
    public static final int IR_VERSION = 8;
    /** The graph input's name. */
    public static final String INPUT = "input";
    /** The name of the network's output in the graph. */
    public static final String OUTPUT = "output";
    /** The metadata key holding the spec as JSON. */
    public static final String SPEC_KEY = "waecompress.spec";
    /** The metadata key holding the number of classes. */
    public static final String CLASSES_KEY = "waecompress.classes";

    private OnnxExport() {}

    /**
     * Lowers a network to an ONNX model.
     *
     * @param net the network (weights are copied into the model)
     * @return the model
     * @throws org.waecompress.spi.spec.OnnxUnsupportedException if a node type has no lowering
     */
    public static OnnxMl.ModelProto model(Network net) {
        NetworkSpec spec = net.spec();
        Graph g = new Graph(net);
        String out = spec.root().toOnnx(INPUT, spec.inputShape(), new Lowering(g, spec.root(), "",
                spec.inputShape()));
        return g.model(out, spec, net.classes());
    }

    /**
     * Writes a network as an ONNX file: to a temporary file in the target's folder, then moved into
     * place, so a failed export leaves no partial file.
     *
     * @param net the network
     * @param file the target, usually {@code NAME.onnx}; its folder must exist
     * @return the file's size in bytes
     * @throws CompressionException if the folder does not exist or writing fails
     */
    public static long write(Network net, Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new CompressionException(file + ": folder " + dir + " does not exist; create it or choose another "
                    + "--out");
        }
        OnnxMl.ModelProto model = model(net);
        try {
            AtomicFiles.write(file, out -> {
                OutputStream b = new BufferedOutputStream(out, 1 << 20);
                model.writeTo(b);
                b.flush();
            });
            return Files.size(file);
        } catch (IOException e) {
            throw new CompressionException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the spec a file exported by {@link #write} carries in its metadata.
     *
     * @param model the model
     * @return the spec, or null if the file was not written by this exporter
     */
    public static NetworkSpec spec(OnnxMl.ModelProto model) {
        for (OnnxMl.StringStringEntryProto e : model.getMetadataPropsList()) {
            if (e.getKey().equals(SPEC_KEY)) {
                return SpecJson.fromJson(e.getValue(), "ONNX metadata " + SPEC_KEY);
            }
        }
        return null;
    }

    /** What the graph holds so far: operators, initializers, names in use, extra outputs. */
    private static final class Graph {
        private final Network net;
        private final List<OnnxMl.NodeProto.Builder> nodes = new ArrayList<>();
        private final Map<String, OnnxMl.TensorProto> initializers = new LinkedHashMap<>();
        private final Set<String> names = new HashSet<>(List.of(INPUT, OUTPUT));
        private final List<OnnxMl.ValueInfoProto> extraOutputs = new ArrayList<>();
        private final Set<String> extraValues = new HashSet<>();

        Graph(Network net) {
            this.net = net;
        }

        String unique(String base) {
            String n = base;
            for (int i = 1; !names.add(n); i++) {
                n = base + "_" + i;
            }
            return n;
        }

        String initializer(String name, Shape shape, ByteString raw, int dataType) {
            String n = unique(name);
            initializers.put(n, OnnxMl.TensorProto.newBuilder().setName(n).addAllDims(dims(shape))
                    .setDataType(dataType).setRawData(raw).build());
            return n;
        }

        OnnxMl.ModelProto model(String out, NetworkSpec spec, int classes) {
            Map<String, String> rename = new HashMap<>();
            boolean produced = nodes.stream().anyMatch(n -> n.getOutputList().contains(out));
            if (produced && !extraValues.contains(out)) {
                rename.put(out, OUTPUT);
            } else {
                nodes.add(OnnxMl.NodeProto.newBuilder().setName(unique("output/Identity")).setOpType("Identity")
                        .addInput(out).addOutput(OUTPUT));
            }
            OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder().setName(spec.name());
            for (OnnxMl.NodeProto.Builder n : nodes) {
                for (int i = 0; i < n.getInputCount(); i++) {
                    n.setInput(i, rename.getOrDefault(n.getInput(i), n.getInput(i)));
                }
                for (int i = 0; i < n.getOutputCount(); i++) {
                    n.setOutput(i, rename.getOrDefault(n.getOutput(i), n.getOutput(i)));
                }
                graph.addNode(n);
            }
            graph.addAllInitializer(initializers.values());
            graph.addInput(valueInfo(INPUT, spec.inputShape()));
            graph.addOutput(valueInfo(OUTPUT, spec.outputShape()));
            for (OnnxMl.ValueInfoProto v : extraOutputs) {
                graph.addOutput(v);
            }
            return OnnxMl.ModelProto.newBuilder().setIrVersion(IR_VERSION)
                    .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                    .setProducerName("waecompress").setProducerVersion(version())
                    .setDocString(spec.name() + ", exported by waecompress from its spec and weights")
                    .addMetadataProps(meta(SPEC_KEY, SpecJson.toJson(spec)))
                    .addMetadataProps(meta(CLASSES_KEY, Integer.toString(classes)))
                    .setGraph(graph).build();
        }
    }

    /** The context one node lowers itself in. */
    private static final class Lowering implements OnnxContext {
        private final Graph g;
        private final LayerSpec node;
        private final String path;
        private final Shape out;

        Lowering(Graph g, LayerSpec node, String path, Shape in) {
            this.g = g;
            this.node = node;
            this.path = path;
            this.out = SpecTraversal.walk(node, path, in, (p, n, i, o) -> { });
        }

        /** Operators of the root are named {@code /OpType}, so every name of ours has a slash. */
        private String prefix() {
            return path + "/";
        }

        @Override
        public String child(int index, String input, Shape in) {
            LayerSpec c = child(index);
            String p = SpecTraversal.childPath(path, c, index);
            return c.toOnnx(input, in, new Lowering(g, c, p, in));
        }

        private LayerSpec child(int index) {
            List<LayerSpec> children = node.children();
            if (index < 0 || index >= children.size()) {
                throw new SpecException((path.isEmpty() ? "(root)" : path) + ": " + node.type() + " has no child "
                        + index);
            }
            return children.get(index);
        }

        @Override
        public Shape shapeOf(int index, Shape in) {
            LayerSpec c = child(index);
            return SpecTraversal.walk(c, SpecTraversal.childPath(path, c, index), in, (p, n, i, o) -> { });
        }

        @Override
        public Shape outShape() {
            return out;
        }

        @Override
        public String path() {
            return path;
        }

        @Override
        public String param(String localName) {
            return param(localName, (long[]) null);
        }

        @Override
        public String param(String localName, long... shape) {
            String full = SpecTraversal.paramName(path, localName);
            NDArray w = g.net.weights().get(full);
            if (w == null) {
                throw new SpecException(full + ": node type '" + node.type() + "' asked for parameter '" + localName
                        + "', which it does not declare");
            }
            Shape s = shape == null ? w.getShape() : new Shape(shape);
            if (s.size() != w.getShape().size()) {
                throw new SpecException(full + ": cannot export parameter of shape " + w.getShape() + " as " + s);
            }
            String key = full + (shape == null ? "" : "#" + s);
            if (g.initializers.containsKey(key)) {
                return key;
            }
            return g.initializer(key, s, floatBytes(w.toFloatArray()), OnnxMl.TensorProto.DataType.FLOAT_VALUE);
        }

        @Override
        public String floats(String hint, float[] values, long... shape) {
            if (new Shape(shape).size() != values.length) {
                throw new SpecException(path + ": constant " + hint + " has " + values.length + " values for shape "
                        + Arrays.toString(shape));
            }
            return g.initializer(prefix() + hint, new Shape(shape), floatBytes(values),
                    OnnxMl.TensorProto.DataType.FLOAT_VALUE);
        }

        @Override
        public float[] paramValues(String localName) {
            String full = SpecTraversal.paramName(path, localName);
            NDArray w = g.net.weights().get(full);
            if (w == null) {
                throw new SpecException(full + ": node type '" + node.type() + "' asked for parameter '" + localName
                        + "', which it does not declare");
            }
            return w.toFloatArray();
        }

        @Override
        public String bytes(String hint, byte[] values, boolean unsigned, long... shape) {
            if (new Shape(shape).size() != values.length) {
                throw new SpecException(path + ": constant " + hint + " has " + values.length + " values for shape "
                        + Arrays.toString(shape));
            }
            return g.initializer(prefix() + hint, new Shape(shape), ByteString.copyFrom(values),
                    unsigned ? OnnxMl.TensorProto.DataType.UINT8_VALUE : OnnxMl.TensorProto.DataType.INT8_VALUE);
        }

        @Override
        public String int32s(String hint, int[] values, long... shape) {
            if (new Shape(shape).size() != values.length) {
                throw new SpecException(path + ": constant " + hint + " has " + values.length + " values for shape "
                        + Arrays.toString(shape));
            }
            ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            b.asIntBuffer().put(values);
            return g.initializer(prefix() + hint, new Shape(shape), UnsafeByteOperations.unsafeWrap(b.array()),
                    OnnxMl.TensorProto.DataType.INT32_VALUE);
        }

        @Override
        public String longs(String hint, long... values) {
            ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            for (long v : values) {
                b.putLong(v);
            }
            return g.initializer(prefix() + hint, new Shape(values.length), UnsafeByteOperations.unsafeWrap(b.array()),
                    OnnxMl.TensorProto.DataType.INT64_VALUE);
        }

        @Override
        public OnnxNode op(String opType) {
            return new Op(g, g.unique(prefix() + opType), opType);
        }

        @Override
        public void extraOutput(String name, String value, Shape shape) {
            if (!g.names.add(name)) {
                throw new SpecException(path + ": extra output name '" + name + "' is already used in the graph");
            }
            g.nodes.add(OnnxMl.NodeProto.newBuilder().setName(g.unique(prefix() + name + "/Identity"))
                    .setOpType("Identity").addInput(value).addOutput(name));
            g.extraValues.add(value);
            g.extraOutputs.add(valueInfo(name, shape));
        }
    }

    /** An operator being added. */
    private static final class Op implements OnnxNode {
        private final Graph g;
        private final OnnxMl.NodeProto.Builder b;

        Op(Graph g, String name, String opType) {
            this.g = g;
            this.b = OnnxMl.NodeProto.newBuilder().setName(name).setOpType(opType);
        }

        private OnnxMl.AttributeProto.Builder attribute(String name, OnnxMl.AttributeProto.AttributeType t) {
            return OnnxMl.AttributeProto.newBuilder().setName(name).setType(t);
        }

        @Override
        public OnnxNode in(String... values) {
            for (String v : values) {
                b.addInput(v);
            }
            return this;
        }

        @Override
        public OnnxNode attr(String name, long value) {
            b.addAttribute(attribute(name, OnnxMl.AttributeProto.AttributeType.INT).setI(value));
            return this;
        }

        @Override
        public OnnxNode attr(String name, double value) {
            b.addAttribute(attribute(name, OnnxMl.AttributeProto.AttributeType.FLOAT).setF((float) value));
            return this;
        }

        @Override
        public OnnxNode attr(String name, String value) {
            b.addAttribute(attribute(name, OnnxMl.AttributeProto.AttributeType.STRING)
                    .setS(ByteString.copyFromUtf8(value)));
            return this;
        }

        @Override
        public OnnxNode ints(String name, long... values) {
            OnnxMl.AttributeProto.Builder a = attribute(name, OnnxMl.AttributeProto.AttributeType.INTS);
            for (long v : values) {
                a.addInts(v);
            }
            b.addAttribute(a);
            return this;
        }

        @Override
        public OnnxNode floats(String name, float... values) {
            OnnxMl.AttributeProto.Builder a = attribute(name, OnnxMl.AttributeProto.AttributeType.FLOATS);
            for (float v : values) {
                a.addFloats(v);
            }
            b.addAttribute(a);
            return this;
        }

        @Override
        public String out() {
            return outs(1).get(0);
        }

        @Override
        public List<String> outs(int count) {
            List<String> outs = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String v = count == 1 ? b.getName() : g.unique(b.getName() + ":" + i);
                g.names.add(v);
                outs.add(v);
                b.addOutput(v);
            }
            g.nodes.add(b);
            return outs;
        }
    }

    private static ByteString floatBytes(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return UnsafeByteOperations.unsafeWrap(b.array());
    }

    private static List<Long> dims(Shape s) {
        List<Long> d = new ArrayList<>();
        for (long v : s.getShape()) {
            d.add(v);
        }
        return d;
    }

    private static OnnxMl.ValueInfoProto valueInfo(String name, Shape shape) {
        OnnxMl.TensorShapeProto.Builder sh = OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        for (long d : shape.getShape()) {
            sh.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(OnnxMl.TensorProto.DataType.FLOAT_VALUE).setShape(sh))).build();
    }

    private static OnnxMl.StringStringEntryProto meta(String k, String v) {
        return OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }

    private static String version() {
        String v = OnnxExport.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0" : v;
    }
}

package org.waecompress.experiments.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.waecompress.spi.error.DataException;

/**
 * An ONNX file read for import: the model, its constants (initializers and {@code Constant} nodes,
 * external data included), its one image input with a fixed {@code (C, H, W)}, its one output, and
 * its operators in graph order with {@code Identity} and {@code Dropout} removed (their outputs are
 * aliases of their inputs). Every problem is a {@link DataException} naming the file and the node,
 * initializer or value.
 */
final class OnnxGraph {

    /** The lowest opset of the default domain the importer reads. */
    static final int MIN_OPSET = 11;
    /** The highest. */
    static final int MAX_OPSET = 18;

    /** A constant tensor: an initializer or a {@code Constant} node's value. */
    record Tensor(String name, long[] dims, OnnxMl.TensorProto proto, Path file) {
        long size() {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            return n;
        }

        float[] floats() {
            if (proto.getDataType() != OnnxMl.TensorProto.DataType.FLOAT.getNumber()) {
                throw new DataException(file + ": initializer '" + name + "' is of ONNX type "
                        + typeName(proto.getDataType()) + "; the importer takes float32 weights (export the model "
                        + "in float32)");
            }
            int n = Math.toIntExact(size());
            float[] out = new float[n];
            ByteString raw = raw();
            if (raw != null) {
                check(raw.size() == 4L * n, raw.size() / 4);
                raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            } else {
                check(proto.getFloatDataCount() == n, proto.getFloatDataCount());
                for (int i = 0; i < n; i++) {
                    out[i] = proto.getFloatData(i);
                }
            }
            return out;
        }

        long[] longs() {
            int t = proto.getDataType();
            int n = Math.toIntExact(size());
            long[] out = new long[n];
            ByteString raw = raw();
            if (t == OnnxMl.TensorProto.DataType.INT64.getNumber()) {
                if (raw != null) {
                    check(raw.size() == 8L * n, raw.size() / 8);
                    raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
                } else {
                    check(proto.getInt64DataCount() == n, proto.getInt64DataCount());
                    for (int i = 0; i < n; i++) {
                        out[i] = proto.getInt64Data(i);
                    }
                }
                return out;
            }
            float[] f = floats();
            for (int i = 0; i < n; i++) {
                out[i] = (long) f[i];
            }
            return out;
        }

        private void check(boolean ok, long found) {
            if (!ok) {
                throw new DataException(file + ": initializer '" + name + "' holds " + found + " values for its shape "
                        + Arrays.toString(dims) + " (" + size() + "); the file is damaged");
            }
        }

        /** The raw little-endian bytes, read from the external-data file where the tensor keeps them; null if typed. */
        private ByteString raw() {
            if (proto.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL) {
                return external();
            }
            return proto.getRawData().isEmpty() ? null : proto.getRawData();
        }

        private ByteString external() {
            Map<String, String> e = new HashMap<>();
            proto.getExternalDataList().forEach(kv -> e.put(kv.getKey(), kv.getValue()));
            String location = e.get("location");
            if (location == null) {
                throw new DataException(file + ": initializer '" + name + "' keeps its data outside the file but names "
                        + "no location");
            }
            Path dir = file.toAbsolutePath().getParent();
            Path data = dir.resolve(location).normalize();
            if (!data.startsWith(dir.normalize())) {
                throw new DataException(file + ": initializer '" + name + "' keeps its data in '" + location
                        + "', outside the model's folder; external data must lie beside the model");
            }
            if (!Files.isRegularFile(data)) {
                throw new DataException(file + ": initializer '" + name + "' keeps its data in '" + location
                        + "', which is missing (" + data + "); copy the external-data files beside the model");
            }
            long offset;
            long length;
            try {
                offset = Long.parseLong(e.getOrDefault("offset", "0").trim());
                length = e.containsKey("length") ? Long.parseLong(e.get("length").trim()) : -1;
            } catch (NumberFormatException ex) {
                throw new DataException(file + ": initializer '" + name + "' has an external-data offset or length "
                        + "that is not a number (" + e + ")");
            }
            try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "r")) {
                long len = length < 0 ? f.length() - offset : length;
                if (offset < 0 || offset + len > f.length()) {
                    throw new DataException(file + ": initializer '" + name + "' reads bytes " + offset + ".."
                            + (offset + len) + " of '" + location + "', which has " + f.length() + "; the external "
                            + "data file is truncated");
                }
                if (len > Integer.MAX_VALUE - 8) {
                    throw new DataException(file + ": initializer '" + name + "' has " + len + " bytes, more than one "
                            + "tensor the importer reads (2 GB)");
                }
                byte[] b = new byte[(int) len];
                f.seek(offset);
                f.readFully(b);
                return ByteString.copyFrom(b);
            } catch (IOException ex) {
                throw new DataException(file + ": cannot read external data '" + location + "': " + ex.getMessage(),
                        ex);
            }
        }
    }

    /** One operator, with its data inputs (aliases resolved) apart from its constant inputs. */
    record Op(int index, OnnxMl.NodeProto node, List<String> data, List<Tensor> consts, List<String> inputs) {
        String type() {
            return node.getOpType();
        }

        String out() {
            return node.getOutput(0);
        }

        /** The node as error messages name it: its type and its name (or its index when unnamed). */
        String label() {
            return node.getOpType() + " node '" + (node.getName().isEmpty() ? "#" + index : node.getName()) + "'";
        }

        OnnxMl.AttributeProto attr(String name) {
            for (OnnxMl.AttributeProto a : node.getAttributeList()) {
                if (a.getName().equals(name)) {
                    return a;
                }
            }
            return null;
        }

        long i(String name, long dflt) {
            OnnxMl.AttributeProto a = attr(name);
            return a == null ? dflt : a.getI();
        }

        double f(String name, double dflt) {
            OnnxMl.AttributeProto a = attr(name);
            return a == null ? dflt : a.getF();
        }

        long[] ints(String name, long... dflt) {
            OnnxMl.AttributeProto a = attr(name);
            return a == null ? dflt : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
        }

        String s(String name, String dflt) {
            OnnxMl.AttributeProto a = attr(name);
            return a == null ? dflt : a.getS().toStringUtf8();
        }

        /** The constant at input position {@code i}, or null when that input is absent or not constant. */
        Tensor constAt(int i, Map<String, Tensor> constants) {
            return i < inputs.size() ? constants.get(inputs.get(i)) : null;
        }
    }

    final Path file;
    final OnnxMl.ModelProto model;
    final int opset;
    final String input;
    final long[] inputShape;
    final String output;
    final Map<String, Tensor> constants = new LinkedHashMap<>();
    final List<Op> ops = new ArrayList<>();
    private final Map<String, String> alias = new HashMap<>();

    private OnnxGraph(Path file, OnnxMl.ModelProto model) {
        this.file = file;
        this.model = model;
        OnnxMl.GraphProto g = model.getGraph();
        this.opset = opset(file, model);
        for (OnnxMl.TensorProto t : g.getInitializerList()) {
            constants.put(t.getName(), new Tensor(t.getName(), dims(t), t, file));
        }
        List<OnnxMl.ValueInfoProto> inputs = g.getInputList().stream()
                .filter(v -> !constants.containsKey(v.getName())).toList();
        if (inputs.size() != 1) {
            throw new DataException(file + ": has " + inputs.size() + " graph inputs " + inputs.stream()
                    .map(OnnxMl.ValueInfoProto::getName).toList() + "; the importer takes classifiers with one image "
                    + "input");
        }
        this.input = inputs.get(0).getName();
        this.inputShape = inputShape(file, inputs.get(0));
        if (g.getOutputCount() != 1) {
            throw new DataException(file + ": has " + g.getOutputCount() + " graph outputs; the importer takes "
                    + "classifiers with one output (the logits)");
        }
        this.output = g.getOutput(0).getName();
        for (int i = 0; i < g.getNodeCount(); i++) {
            OnnxMl.NodeProto n = g.getNode(i);
            if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
                throw new DataException(file + ": " + n.getOpType() + " node '" + n.getName() + "' is of domain '"
                        + n.getDomain() + "'; the importer reads the default ONNX domain only ("
                        + String.join(", ", OnnxImport.OPERATORS) + ")");
            }
            switch (n.getOpType()) {
                case "Constant" -> constants.put(n.getOutput(0), constantOf(n));
                case "Identity", "Dropout" -> {
                    if (n.getOutputCount() > 1 && !n.getOutput(1).isEmpty() && used(g, n.getOutput(1))) {
                        throw new DataException(file + ": Dropout node '" + n.getName() + "' has its mask used; "
                                + "export the model in eval mode");
                    }
                    String src = resolve(n.getInput(0));
                    if (constants.containsKey(src)) {
                        constants.put(n.getOutput(0), constants.get(src));
                    } else {
                        alias.put(n.getOutput(0), src);
                    }
                }
                default -> {
                    List<String> data = new ArrayList<>();
                    List<Tensor> consts = new ArrayList<>();
                    List<String> all = new ArrayList<>();
                    for (String in : n.getInputList()) {
                        String r = in.isEmpty() ? in : resolve(in);
                        all.add(r);
                        if (r.isEmpty()) {
                            continue;
                        }
                        if (constants.containsKey(r)) {
                            consts.add(constants.get(r));
                        } else {
                            data.add(r);
                        }
                    }
                    ops.add(new Op(ops.size(), n, data, consts, all));
                }
            }
        }
    }

    /**
     * Reads and checks a file.
     *
     * @param file the {@code .onnx} file
     * @return the graph
     * @throws DataException naming the file for a file that is not ONNX, is truncated, has an opset
     *     outside {@value #MIN_OPSET}..{@value #MAX_OPSET}, or more than the batch dynamic
     */
    static OnnxGraph read(Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new DataException(file + ": file not found or not readable");
        }
        OnnxMl.ModelProto model;
        try (InputStream in = Files.newInputStream(file)) {
            CodedInputStream c = CodedInputStream.newInstance(in, 1 << 20);
            c.setSizeLimit(Integer.MAX_VALUE);
            model = OnnxMl.ModelProto.parseFrom(c);
        } catch (InvalidProtocolBufferException e) {
            throw new DataException(file + ": not an ONNX model, or a truncated one (protobuf: "
                    + e.getMessage().lines().findFirst().orElse("") + ")");
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0 || model.getIrVersion() < 3) {
            throw new DataException(file + ": not an ONNX model (no graph of operators, or no IR version); "
                    + "give a file written by torch.onnx.export, tf2onnx or waec export");
        }
        return new OnnxGraph(file, model);
    }

    /**
     * Returns the value an output name stands for once {@code Identity} and {@code Dropout} are removed.
     *
     * @param value a value name
     * @return the value it aliases, or itself
     */
    String resolve(String value) {
        String v = value;
        while (alias.containsKey(v)) {
            v = alias.get(v);
        }
        return v;
    }

    private static boolean used(OnnxMl.GraphProto g, String value) {
        return g.getNodeList().stream().anyMatch(n -> n.getInputList().contains(value))
                || g.getOutputList().stream().anyMatch(o -> o.getName().equals(value));
    }

    private Tensor constantOf(OnnxMl.NodeProto n) {
        for (OnnxMl.AttributeProto a : n.getAttributeList()) {
            OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(n.getOutput(0));
            switch (a.getName()) {
                case "value" -> {
                    return new Tensor(n.getOutput(0), dims(a.getT()), a.getT(), file);
                }
                case "value_float" -> t.setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                        .addFloatData(a.getF());
                case "value_floats" -> t.setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                        .addDims(a.getFloatsCount()).addAllFloatData(a.getFloatsList());
                case "value_int" -> t.setDataType(OnnxMl.TensorProto.DataType.INT64.getNumber())
                        .addInt64Data(a.getI());
                case "value_ints" -> t.setDataType(OnnxMl.TensorProto.DataType.INT64.getNumber())
                        .addDims(a.getIntsCount()).addAllInt64Data(a.getIntsList());
                default -> {
                    continue;
                }
            }
            OnnxMl.TensorProto p = t.build();
            return new Tensor(n.getOutput(0), dims(p), p, file);
        }
        throw new DataException(file + ": Constant node '" + n.getName() + "' has no value the importer reads (value, "
                + "value_float(s), value_int(s))");
    }

    private static long[] dims(OnnxMl.TensorProto t) {
        return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }

    private static int opset(Path file, OnnxMl.ModelProto model) {
        for (OnnxMl.OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                long v = o.getVersion();
                if (v < MIN_OPSET || v > MAX_OPSET) {
                    throw new DataException(file + ": opset " + v + " is outside the importer's range " + MIN_OPSET
                            + ".." + MAX_OPSET + "; export again with opset_version=17 (or convert it with "
                            + "onnx.version_converter)");
                }
                return (int) v;
            }
        }
        throw new DataException(file + ": imports no opset of the default ONNX domain; not a model the importer "
                + "reads");
    }

    private static long[] inputShape(Path file, OnnxMl.ValueInfoProto v) {
        OnnxMl.TypeProto.Tensor t = v.getType().getTensorType();
        if (t.getElemType() != OnnxMl.TensorProto.DataType.FLOAT.getNumber()) {
            throw new DataException(file + ": input '" + v.getName() + "' is of ONNX type " + typeName(
                    t.getElemType()) + "; the importer takes a float32 image input");
        }
        List<OnnxMl.TensorShapeProto.Dimension> dims = t.getShape().getDimList();
        if (dims.size() != 4) {
            throw new DataException(file + ": input '" + v.getName() + "' has " + dims.size() + " dimensions; the "
                    + "importer takes images as (batch, C, H, W)");
        }
        long[] out = new long[3];
        String[] axis = {"batch", "C", "H", "W"};
        for (int i = 1; i < 4; i++) {
            OnnxMl.TensorShapeProto.Dimension d = dims.get(i);
            if (!d.hasDimValue() || d.getDimValue() < 1) {
                throw new DataException(file + ": input '" + v.getName() + "' has a dynamic " + axis[i] + " ('"
                        + d.getDimParam() + "'); only the batch may be dynamic: export with a fixed " + axis[i]
                        + " (a dummy input of the size you deploy)");
            }
            out[i - 1] = d.getDimValue();
        }
        return out;
    }

    static String typeName(int type) {
        OnnxMl.TensorProto.DataType d = OnnxMl.TensorProto.DataType.forNumber(type);
        return d == null ? Integer.toString(type) : d.name();
    }
}

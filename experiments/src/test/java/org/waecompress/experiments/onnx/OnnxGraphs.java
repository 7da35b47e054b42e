package org.waecompress.experiments.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes small ONNX graphs with ONNX's protobuf classes, for the patterns waec's exporter never writes
 * (PyTorch's and Keras's ways of saying the same layers): the importer's tests build their files with it.
 */
public final class OnnxGraphs {

    private final OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder().setName("test");
    private final Random random;
    private int opset = 17;
    private int count;

    /**
     * Starts a graph with one input {@code input} of shape {@code (batch, c, h, w)}.
     *
     * @param c channels
     * @param h height
     * @param w width
     * @param seed the seed of the random weights
     */
    public OnnxGraphs(int c, int h, int w, long seed) {
        random = new Random(seed);
        graph.addInput(value("input", "batch", c, h, w));
    }

    /**
     * Sets the opset the file imports.
     *
     * @param v the version
     * @return this
     */
    public OnnxGraphs opset(int v) {
        opset = v;
        return this;
    }

    /**
     * Adds a float initializer of random values (standard normal times {@code scale}).
     *
     * @param name its name
     * @param scale the values' scale
     * @param dims its shape
     * @return its name
     */
    public String weight(String name, double scale, long... dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextGaussian() * scale);
        }
        return floats(name, v, dims);
    }

    /**
     * Adds a float initializer.
     *
     * @param name its name
     * @param values the values
     * @param dims its shape
     * @return its name
     */
    public String floats(String name, float[] values, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        graph.addInitializer(OnnxMl.TensorProto.newBuilder().setName(name).setDataType(
                OnnxMl.TensorProto.DataType.FLOAT.getNumber()).addAllDims(java.util.Arrays.stream(dims).boxed()
                .toList()).setRawData(ByteString.copyFrom(b.array())));
        return name;
    }

    /**
     * Adds an int64 initializer (shapes, pads).
     *
     * @param name its name
     * @param values the values
     * @return its name
     */
    public String longs(String name, long... values) {
        graph.addInitializer(OnnxMl.TensorProto.newBuilder().setName(name).setDataType(
                OnnxMl.TensorProto.DataType.INT64.getNumber()).addDims(values.length).addAllInt64Data(
                java.util.Arrays.stream(values).boxed().toList()));
        return name;
    }

    /**
     * Adds an operator; its output is named {@code NAME_out}.
     *
     * @param op the operator type
     * @param name the node's name
     * @param inputs its inputs
     * @return a builder for attributes; {@link Node#out()} gives the output's name
     */
    public Node op(String op, String name, String... inputs) {
        OnnxMl.NodeProto.Builder n = graph.addNodeBuilder().setOpType(op).setName(name)
                .addOutput(name + "_out" + (count++));
        for (String i : inputs) {
            n.addInput(i);
        }
        return new Node(n);
    }

    /** An operator being added. */
    public static final class Node {
        private final OnnxMl.NodeProto.Builder n;

        Node(OnnxMl.NodeProto.Builder n) {
            this.n = n;
        }

        /**
         * Sets an integer attribute.
         *
         * @param name the name
         * @param v the value
         * @return this
         */
        public Node i(String name, long v) {
            n.addAttribute(OnnxMl.AttributeProto.newBuilder().setName(name).setType(
                    OnnxMl.AttributeProto.AttributeType.INT).setI(v));
            return this;
        }

        /**
         * Sets a float attribute.
         *
         * @param name the name
         * @param v the value
         * @return this
         */
        public Node f(String name, float v) {
            n.addAttribute(OnnxMl.AttributeProto.newBuilder().setName(name).setType(
                    OnnxMl.AttributeProto.AttributeType.FLOAT).setF(v));
            return this;
        }

        /**
         * Sets an integer-list attribute.
         *
         * @param name the name
         * @param v the values
         * @return this
         */
        public Node ints(String name, long... v) {
            n.addAttribute(OnnxMl.AttributeProto.newBuilder().setName(name).setType(
                    OnnxMl.AttributeProto.AttributeType.INTS).addAllInts(java.util.Arrays.stream(v).boxed().toList()));
            return this;
        }

        /**
         * Returns the output's name.
         *
         * @return the name
         */
        public String out() {
            return n.getOutput(0);
        }
    }

    /**
     * A convolution with random weights and bias named {@code NAME.weight} and {@code NAME.bias}.
     *
     * @param name the layer's name
     * @param x its input
     * @param in input channels
     * @param out output channels
     * @param k kernel
     * @param stride stride
     * @param pad padding
     * @param group groups
     * @return its output
     */
    public String conv(String name, String x, int in, int out, int k, int stride, int pad, int group) {
        String w = weight(name + ".weight", Math.sqrt(2.0 / (in / group * k * k)), out, in / group, k, k);
        String b = weight(name + ".bias", 0.1, out);
        return op("Conv", "/" + name + "/Conv", x, w, b).ints("kernel_shape", k, k).ints("strides", stride, stride)
                .ints("pads", pad, pad, pad, pad).i("group", group).out();
    }

    /**
     * Clip to [0, 6] with its bounds as constant inputs (opset 11 and later: PyTorch's ReLU6).
     *
     * @param name the node's name
     * @param x its input
     * @return its output
     */
    public String relu6(String name, String x) {
        String lo = floats(name + ".min", new float[] {0f});
        String hi = floats(name + ".max", new float[] {6f});
        return op("Clip", name, x, lo, hi).out();
    }

    /**
     * Makes a value the graph's output, of shape {@code (batch, classes)}.
     *
     * @param v the value
     * @param classes the classes
     * @return this
     */
    public OnnxGraphs output(String v, int classes) {
        graph.addNodeBuilder().setOpType("Identity").setName("out").addInput(v).addOutput("output");
        graph.addOutput(value("output", "batch", classes));
        return this;
    }

    /**
     * Returns the model.
     *
     * @return the model proto
     */
    public OnnxMl.ModelProto model() {
        return OnnxMl.ModelProto.newBuilder().setIrVersion(8).setProducerName("test").addOpsetImport(
                OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).setGraph(graph).build();
    }

    /**
     * Writes the model.
     *
     * @param file the file
     * @return the file
     * @throws IOException if writing fails
     */
    public Path write(Path file) throws IOException {
        return write(model(), file);
    }

    /**
     * Writes a model.
     *
     * @param model the model
     * @param file the file
     * @return the file
     * @throws IOException if writing fails
     */
    public static Path write(OnnxMl.ModelProto model, Path file) throws IOException {
        try (OutputStream o = Files.newOutputStream(file)) {
            model.writeTo(o);
        }
        return file;
    }

    private static OnnxMl.ValueInfoProto value(String name, String batch, long... dims) {
        OnnxMl.TensorShapeProto.Builder s = OnnxMl.TensorShapeProto.newBuilder();
        s.addDimBuilder().setDimParam(batch);
        for (long d : dims) {
            s.addDimBuilder().setDimValue(d);
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder().setTensorType(
                OnnxMl.TypeProto.Tensor.newBuilder().setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                        .setShape(s))).build();
    }
}

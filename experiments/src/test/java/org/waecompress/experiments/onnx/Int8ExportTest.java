package org.waecompress.experiments.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.ActivationSpec;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.FlattenSpec;
import org.waecompress.spi.spec.Int8Spec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.PoolSpec;
import org.waecompress.spi.spec.QuantizeSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecException;

/** The int8 node types in ONNX Runtime against their simulation on the PyTorch engine. */
class Int8ExportTest {

    private static final float OUT_SCALE = 0.03f;

    /** Quantized input, int8 conv, ReLU, a quantized output: every output value is a step of OUT_SCALE. */
    static NetworkSpec convBlock() {
        return new NetworkSpec("int8-conv", new Shape(3, 7, 9), SequentialSpec.of("",
                new QuantizeSpec("", 0, 0.02f, 128),
                new Int8Spec("conv", ConvSpec.of("conv", 3, 8, 3, 1, 1, true), 0.02f),
                ActivationSpec.relu("relu"),
                new QuantizeSpec("", 1, OUT_SCALE, 0),
                PoolSpec.max("pool", 2, 2, 0, false),
                new QuantizeSpec("", 1, OUT_SCALE, 0)));
    }

    static float[] input(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /**
     * The int8 file equals its simulation within one quantization step of the output: ONNX Runtime
     * requantizes the convolution's int32 sums in fixed point, the simulation rounds a float, so a value
     * on a rounding boundary may land one step away, never more.
     */
    @Test
    void theInt8FileEqualsItsSimulationWithinOneStepOfTheOutput(@TempDir Path dir) {
        int batch = 4;
        try (Network net = OnnxTesting.randomized(convBlock(), 8, 3)) {
            Path f = dir.resolve("int8.onnx");
            OnnxExport.write(net, f);
            float[] x = input(batch * 3 * 7 * 9, 11);
            float[] sim;
            try (NDManager m = Devices.newManager(); BuiltNetwork b = net.build(m)) {
                sim = b.forward(new NDList(b.manager().create(x, b.batchInputShape(batch))), false).head()
                        .toFloatArray();
            }
            float[] ort;
            try (OrtNetwork o = OrtNetwork.open(f, 1)) {
                ort = o.run(x, batch).get(0);
            }
            assertEquals(sim.length, ort.length);
            int apart = 0;
            int nonZero = 0;
            for (int i = 0; i < sim.length; i++) {
                double d = Math.abs(sim[i] - ort[i]);
                assertTrue(d <= OUT_SCALE * 1.0001, "value " + i + ": simulated " + sim[i] + ", ONNX Runtime "
                        + ort[i]);
                // both engines give values on the output's grid
                assertEquals(0, Math.abs(ort[i] / OUT_SCALE - Math.rint(ort[i] / OUT_SCALE)), 1e-3);
                apart += d > 1e-6 ? 1 : 0;
                nonZero += ort[i] != 0 ? 1 : 0;
            }
            assertTrue(apart < sim.length / 20, apart + " of " + sim.length + " values a step apart");
            assertTrue(nonZero > sim.length / 4, "the test must exercise non-zero outputs");
        }
    }

    @Test
    void anInt8LinearHeadAndItsFloatLogitsRunInOnnxRuntime(@TempDir Path dir) {
        NetworkSpec spec = new NetworkSpec("int8-head", new Shape(2, 4, 4), SequentialSpec.of("",
                new QuantizeSpec("", 0, 0.02f, 128),
                new Int8Spec("conv", ConvSpec.of("conv", 2, 4, 3, 1, 1, true), 0.02f),
                ActivationSpec.relu("relu"), new QuantizeSpec("", 1, 0.05f, 0),
                new FlattenSpec("flat"), new QuantizeSpec("", 1, 0.05f, 0),
                new Int8Spec("fc", new LinearSpec("fc", 64, 5, true), 0.05f)));
        try (Network net = OnnxTesting.randomized(spec, 5, 4)) {
            Path f = dir.resolve("head.onnx");
            OnnxExport.write(net, f);
            OnnxCheck.Result r = OnnxCheck.compare(net, f, 3, 7, 1);
            assertTrue(r.passes(), r.describe());
            assertEquals(OnnxCheck.QUANTIZED_TOLERANCE, r.tolerance());
        }
    }

    /** ONNX Runtime's own profiler names the kernels it ran: the int8 ones, not float kernels on dequantized values. */
    @Test
    void onnxRuntimeRunsTheInt8Kernels(@TempDir Path dir) {
        NetworkSpec spec = new NetworkSpec("int8-net", new Shape(3, 8, 8), SequentialSpec.of("",
                new QuantizeSpec("", 0, 0.02f, 128),
                new Int8Spec("conv", ConvSpec.of("conv", 3, 16, 3, 1, 1, true), 0.02f),
                ActivationSpec.relu("relu"), new QuantizeSpec("", 1, 0.05f, 0),
                PoolSpec.max("pool", 2, 2, 0, false), new QuantizeSpec("", 1, 0.05f, 0),
                new FlattenSpec("flat"), new QuantizeSpec("", 1, 0.05f, 0),
                new Int8Spec("fc", new LinearSpec("fc", 256, 4, true), 0.05f)));
        try (Network net = OnnxTesting.randomized(spec, 4, 2)) {
            Path f = dir.resolve("p.onnx");
            OnnxExport.write(net, f);
            java.util.Set<String> ops = new java.util.TreeSet<>();
            for (var k : org.waecompress.experiments.measure.OrtProfile.of(f, spec, 1, 1, 3, dir).kernels()) {
                ops.add(k.op());
            }
            assertTrue(ops.contains("QLinearConv"), ops.toString());
            assertTrue(ops.contains("QGemm"), ops.toString());
            assertTrue(!ops.contains("Conv") && !ops.contains("Gemm"), "a float kernel ran: " + ops);
        }
    }

    @Test
    void anUncalibratedPointCannotBeExported(@TempDir Path dir) {
        NetworkSpec spec = new NetworkSpec("raw", new Shape(3), SequentialSpec.of("", new QuantizeSpec("", 4, 0f, 0)));
        try (Network net = Network.random(spec, 3, 1)) {
            SpecException e = assertThrows(SpecException.class, () -> OnnxExport.write(net, dir.resolve("x.onnx")));
            assertTrue(e.getMessage().contains("point 4 has no scale"), e.getMessage());
        }
    }
}

package org.waecompress.spi.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;

/** The quantization node types on the PyTorch engine, against hand-computed int8 arithmetic. */
class QuantizationTest {

    @Test
    void weightScalesAndRoundingAreSymmetricPerChannelHalfToEven() {
        float[] w = {0.5f, -1.27f, 0.25f, 0f, 0f, 0f};
        float[] s = QuantMath.weightScales(w, 2);
        assertEquals(1.27f / 127, s[0]);
        assertEquals(1f, s[1], "a channel of zeros gets scale 1");
        byte[] q = QuantMath.quantizeWeights(w, s);
        assertArrayEquals(new byte[] {50, -127, 25, 0, 0, 0}, q);
        // 2.5 steps rounds to 2, 3.5 to 4 (half to even, as ONNX's QuantizeLinear)
        assertEquals(2, QuantMath.quantize(0.25f, 0.1f, 0));
        assertEquals(4, QuantMath.quantize(0.35f, 0.1f, 0));
        assertEquals(255, QuantMath.quantize(100f, 0.1f, 0));
        assertEquals(0, QuantMath.quantize(-1f, 0.1f, 0));
        assertEquals(118, QuantMath.quantize(-1f, 0.1f, 128));
        assertArrayEquals(new int[] {20, -3}, QuantMath.quantizeBias(new float[] {0.2f, -0.03f},
                QuantMath.biasScales(new float[] {0.1f, 0.1f}, 0.1f)));
    }

    @Test
    void aQuantizePointRoundsAndClampsLikeQuantizeLinear() {
        NetworkSpec spec = new NetworkSpec("q", new Shape(6), SequentialSpec.of("", new QuantizeSpec("", 0, 0.5f, 2)));
        try (Network net = Network.random(spec, 6, 1); NDManager m = Devices.newManager();
                BuiltNetwork b = net.build(m)) {
            float[] y = b.predict(b.manager().create(new float[] {-3f, -0.74f, 0.25f, 0.75f, 1.3f, 500f},
                    new Shape(1, 6))).toFloatArray();
            // steps of 0.5 from -1 (zero point 2) to 126.5
            assertArrayEquals(new float[] {-1f, -0.5f, 0f, 1f, 1.5f, 126.5f}, y);
        }
    }

    @Test
    void anUncalibratedPointShowsItsValuesToTheObserverAndPassesThem() {
        NetworkSpec spec = new NetworkSpec("q", new Shape(3), SequentialSpec.of("", new QuantizeSpec("", 7, 0f, 0)));
        float[] seen = new float[3];
        try (Network net = Network.random(spec, 3, 1); NDManager m = Devices.newManager();
                BuiltNetwork b = net.build(m);
                QuantObserver.Installed on = QuantObserver.install((p, x) -> {
                    assertEquals(7, p);
                    System.arraycopy(x.toFloatArray(), 0, seen, 0, 3);
                })) {
            float[] in = {0.1234f, -5f, 9f};
            assertArrayEquals(in, b.predict(b.manager().create(in, new Shape(1, 3))).toFloatArray());
            assertArrayEquals(in, seen);
        }
        assertEquals(null, QuantObserver.current());
    }

    @Test
    void badScalesAndZeroPointsAreRefused() {
        assertThrows(SpecException.class, () -> new QuantizeSpec("", 0, -1f, 0));
        assertThrows(SpecException.class, () -> new QuantizeSpec("", 0, Float.NaN, 0));
        assertThrows(SpecException.class, () -> new QuantizeSpec("", 0, 1f, 256));
        assertThrows(SpecException.class, () -> new Int8Spec("x", new FlattenSpec("x"), 1f));
        assertThrows(SpecException.class, () -> new Int8Spec("x", new LinearSpec("x", 2, 2, true), 0f));
    }

    /**
     * An int8 linear layer against the float layer on the same (quantized) input: each weight moves by at
     * most half its channel's step and the bias by half its step, so output i moves by at most
     * {@code s_w[i] / 2 * sum_j |x_j| + s_b[i] / 2}.
     */
    @Test
    void anInt8LayerStaysWithinTheBoundItsScalesGive() {
        int in = 40;
        int out = 5;
        float inputScale = 0.05f;
        LinearSpec fl = new LinearSpec("fc", in, out, true);
        NetworkSpec floatSpec = new NetworkSpec("f", new Shape(in), SequentialSpec.of("", fl));
        NetworkSpec qSpec = new NetworkSpec("q", new Shape(in), SequentialSpec.of("", new Int8Spec("fc", fl,
                inputScale)));
        Random r = new Random(3);
        float[] x = new float[2 * in];
        for (int i = 0; i < x.length; i++) {
            x[i] = QuantMath.quantize((float) r.nextGaussian(), inputScale, 128) * inputScale - 128 * inputScale;
        }
        try (Network f = Network.random(floatSpec, out, 4);
                Network q = Network.of(qSpec, out, f.weights(), "test");
                NDManager m = Devices.newManager(); BuiltNetwork bf = f.build(m); BuiltNetwork bq = q.build(m)) {
            float[] w = f.weight("fc.weight").toFloatArray();
            float[] ws = QuantMath.weightScales(w, out);
            float[] bs = QuantMath.biasScales(ws, inputScale);
            NDArray xs = bf.manager().create(x, new Shape(2, in));
            float[] yf = bf.predict(xs).toFloatArray();
            float[] yq = bq.predict(xs).toFloatArray();
            boolean moved = false;
            for (int n = 0; n < 2; n++) {
                double sumAbs = 0;
                for (int j = 0; j < in; j++) {
                    sumAbs += Math.abs(x[n * in + j]);
                }
                for (int i = 0; i < out; i++) {
                    double bound = ws[i] / 2 * sumAbs + bs[i] / 2 + 1e-5;
                    double d = Math.abs(yf[n * out + i] - yq[n * out + i]);
                    assertTrue(d <= bound, "output " + i + " moved " + d + " > " + bound);
                    moved |= d > 1e-6;
                }
            }
            assertTrue(moved, "the int8 layer computed exactly the float one: its weights were not quantized");
        }
    }

    @Test
    void anInt8LayerComputesWithTheRoundedWeightsExactly() {
        ConvSpec conv = ConvSpec.of("c", 1, 2, 1, 1, 0, true);
        NetworkSpec spec = new NetworkSpec("q", new Shape(1, 1, 2), SequentialSpec.of("", new Int8Spec("c", conv,
                0.1f)));
        try (NDManager m = Devices.newManager()) {
            Map<String, NDArray> w = Map.of("c.weight", m.create(new float[] {1.27f, 0.3f}, new Shape(2, 1, 1, 1)),
                    "c.bias", m.create(new float[] {0.0149f, 0.26f}));
            try (Network net = Network.of(spec, 2, w, "test"); BuiltNetwork b = net.build(m)) {
                float[] y = b.predict(b.manager().create(new float[] {1f, 2f}, new Shape(1, 1, 1, 2))).toFloatArray();
                // channel 0: scale 0.01, weight 127 steps = 1.27; bias step 0.001: 0.0149 -> 0.015
                // channel 1: scale 0.3/127, weight exactly 127 steps; bias step 0.03/127: 0.26 -> 1101 steps
                float b1 = (float) (Math.rint(0.26f / (0.3f / 127 * 0.1f)) * (0.3f / 127 * 0.1f));
                assertEquals(1.27f + 0.015f, y[0], 1e-6);
                assertEquals(2.54f + 0.015f, y[1], 1e-6);
                assertEquals(0.3f + b1, y[2], 1e-6);
                assertNotEquals(0.3f + 0.26f, y[2], 1e-7);
            }
        }
        assertEquals(List.of("weight", "bias"), conv.params(new Shape(1, 1, 2)).stream().map(ParamDef::name)
                .toList());
    }
}

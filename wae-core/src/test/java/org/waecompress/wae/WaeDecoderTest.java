package org.waecompress.wae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.NetworkSpec;

/** The decoder reconstructs from both sub-images: I' = D_L(I_L) + D_H(I_H). */
class WaeDecoderTest {

    @Test
    void theReconstructionIsTheSumOfABranchForEachSubImage() {
        NetworkSpec spec = new NetworkSpec("decoder", new Shape(2, 4, 4), WaeArchitecture.decoder(1, 1, 4));
        try (Network net = Network.random(spec, 1, 3); NDManager m = NDManager.newBaseManager();
                BuiltNetwork b = net.build(m)) {
            NDArray l = m.randomNormal(new Shape(1, 1, 4, 4));
            NDArray h = m.randomNormal(new Shape(1, 1, 4, 4));
            NDArray zero = m.zeros(new Shape(1, 1, 4, 4));
            float[] lh = run(b, l, h);
            float[] l0 = run(b, l, zero);
            float[] oh = run(b, zero, h);
            float[] oo = run(b, zero, zero);
            double moved = 0;
            float[] viaHigh = new float[lh.length];
            float[] alone = new float[lh.length];
            for (int i = 0; i < lh.length; i++) {
                moved += Math.abs(lh[i] - l0[i]);
                viaHigh[i] = lh[i] - l0[i];
                alone[i] = oh[i] - oo[i];
            }
            assertTrue(moved > 1e-3, "the reconstruction does not depend on I_H");
            assertArrayEquals(alone, viaHigh, 1e-4f, "I_H's contribution depends on I_L: not a sum of branches");
        }
    }

    private static float[] run(BuiltNetwork b, NDArray l, NDArray h) {
        return b.forward(new NDList(l.concat(h, 1)), false).head().toFloatArray();
    }
}

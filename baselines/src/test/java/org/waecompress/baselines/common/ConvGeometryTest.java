package org.waecompress.baselines.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SequentialSpec;

/** The hand-computed response at every position equals the engine's convolution, padding and stride included. */
class ConvGeometryTest {

    @Test
    void contributionsSumToTheEnginesConvolution() {
        ConvSpec conv = new ConvSpec("c", 3, 4, new org.waecompress.spi.spec.HeightWidth(3, 2),
                new org.waecompress.spi.spec.HeightWidth(2, 1), new org.waecompress.spi.spec.HeightWidth(1, 0), 1,
                        true);
        NetworkSpec spec = new NetworkSpec("one", new Shape(3, 7, 6), SequentialSpec.of("", conv));
        try (Network net = Network.random(spec, 4, 5); NDManager m = NDManager.newBaseManager();
                BuiltNetwork b = net.build(m)) {
            NDArray x = m.randomNormal(new Shape(2, 3, 7, 6));
            float[] y = b.predict(x).toFloatArray();
            float[] xv = x.toFloatArray();
            float[] w = net.weight("c.weight").toFloatArray();
            float[] bias = net.weight("c.bias").toFloatArray();
            ConvGeometry g = ConvGeometry.of(conv, new Shape(3, 7, 6));
            assertEquals(4, g.oh());
            assertEquals(5, g.ow());
            for (int img = 0; img < 2; img++) {
                for (int o = 0; o < 4; o++) {
                    for (int py = 0; py < g.oh(); py++) {
                        for (int px = 0; px < g.ow(); px++) {
                            double s = bias[o];
                            for (int ch = 0; ch < 3; ch++) {
                                s += g.contribution(w, o, ch, xv, img, py, px);
                            }
                            float engine = y[((img * 4 + o) * g.oh() + py) * g.ow() + px];
                            assertEquals(engine, s, 1e-4, "image " + img + " output " + o + " at " + py + "," + px);
                        }
                    }
                }
            }
        }
    }
}

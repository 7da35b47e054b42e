package org.waecompress.wae;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.waecompress.spi.train.LossTerms;
import org.waecompress.spi.train.TrainLoss;

/** WAE's losses against values computed by hand, in both normalisations. */
class WaeLossTest {

    /**
     * A batch of 2 images of 1x2x2 with their reconstruction, 1x1x1 I_L, 1x1x2 I_H, uniform logits and
     * labels: squared errors 4 and 1, I_H squares 1 + 9 and 0 + 4, I_L squares 25 and 36.
     */
    record Batch(NDArray x, NDArray rec, NDArray low, NDArray high, NDArray logits, NDArray y) {
        static Batch of(NDManager m) {
            return new Batch(m.create(new float[] {1, 2, 3, 4, 0, 0, 0, 0}, new Shape(2, 1, 2, 2)),
                    m.create(new float[] {1, 2, 3, 2, 0, 0, 0, 1}, new Shape(2, 1, 2, 2)),
                    m.create(new float[] {5, 6}, new Shape(2, 1, 1, 1)), m.create(new float[] {1, 3, 0, 2},
                            new Shape(2, 1, 1, 2)),
                    m.create(new float[] {0, 0, 0, 0}, new Shape(2, 2)), m.create(new float[] {0, 1}, new Shape(2)));
        }
    }

    @Test
    void jointLossIsCrossEntropyPlusGammaTimesReconstructionAndEnergy() {
        try (NDManager m = NDManager.newBaseManager()) {
            // a batch of 2 images of 1x2x2; I_H of 1x1x1 each
            Batch f = Batch.of(m);
            double ce = Math.log(2);
            // squared errors: image 1 has 4 (one value off by 2), image 2 has 1; I_H: 10 and 4 over 2 values each
            double recMean = 5.0 / 8;
            double ehMean = 14.0 / 4;
            double recSum = 5.0 / 2;
            double ehSum = 14.0 / 2;
            NDList out = new NDList(f.logits(), f.low(), f.high(), f.rec());
            assertEquals(ce + 0.5 * (recMean + 0.25 * ehMean), value(WaeLoss.joint(0.25, 0.5, WaeLoss.Scale.MEAN),
                    out, f.x(), f.y()), 1e-5);
            assertEquals(ce + 0.5 * (recSum + 0.25 * ehSum), value(WaeLoss.joint(0.25, 0.5, WaeLoss.Scale.SUM),
                    out, f.x(), f.y()), 1e-5);
            NDList ae = new NDList(f.rec(), f.low(), f.high());
            assertEquals(recMean + 0.25 * ehMean, value(WaeLoss.autoencoder(0.25, WaeLoss.Scale.MEAN), ae, f.x(),
                    f.y()), 1e-5);
            assertEquals(recSum + 0.25 * ehSum, value(WaeLoss.autoencoder(0.25, WaeLoss.Scale.SUM), ae, f.x(),
                    f.y()), 1e-5);
        }
    }

    @Test
    void theLoggedTermsAreMeansWhateverTheScale() {
        try (NDManager m = NDManager.newBaseManager()) {
            Batch f = Batch.of(m);
            Map<String, Double> want = Map.of("ce", Math.log(2), "rec", 5.0 / 8, "energyH", 3.5, "energyL", 30.5);
            for (WaeLoss.Scale scale : WaeLoss.Scale.values()) {
                LossTerms t = new LossTerms();
                WaeLoss.joint(0.25, 0.5, scale).compute(new NDList(f.logits(), f.low(), f.high(), f.rec()), f.x(),
                        f.y(), t);
                assertTerms(want, t.means());
                LossTerms a = new LossTerms();
                WaeLoss.autoencoder(0.25, scale).compute(new NDList(f.rec(), f.low(), f.high()), f.x(), f.y(), a);
                assertTerms(Map.of("rec", 5.0 / 8, "energyH", 3.5, "energyL", 30.5), a.means());
            }
            LossTerms c = new LossTerms();
            NDList scores = new NDList(f.logits(), f.low(), f.high());
            assertEquals(Math.log(2), WaeLoss.classification().compute(scores, f.x(), f.y(), c).getFloat(), 1e-5);
            assertTerms(Map.of("ce", Math.log(2), "energyH", 3.5, "energyL", 30.5), c.means());
            LossTerms only = new LossTerms();
            WaeLoss.classification().compute(new NDList(f.logits()), f.x(), f.y(), only);
            assertTerms(Map.of("ce", Math.log(2)), only.means());
        }
    }

    private static void assertTerms(Map<String, Double> want, Map<String, Double> got) {
        assertEquals(want.keySet(), got.keySet());
        want.forEach((k, v) -> assertEquals(v, got.get(k), 1e-5, k));
    }

    private static double value(TrainLoss loss, NDList out, NDArray x, NDArray y) {
        return loss.compute(out, x, y, new LossTerms()).getFloat();
    }
}

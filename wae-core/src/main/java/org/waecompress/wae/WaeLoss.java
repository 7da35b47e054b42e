package org.waecompress.wae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import org.waecompress.spi.train.TrainLoss;

/**
 * WAE's objectives (the paper's section "Wavelet-like auto-encoder"):
 * {@code l_r = mean((I - I')^2)}, {@code l_e = mean(I_H^2)}, {@code L_t = l_r + lambda l_e} and
 * {@code L = L_c + gamma L_t}, with {@code L_c} the cross-entropy of the summed scores.
 *
 * <p>Means run over batch, channels and pixels. The terms are logged as {@code ce}, {@code rec},
 * {@code energyH} and {@code energyL} (the energy of I_L, logged only, to watch the split).
 */
public final class WaeLoss {

    private WaeLoss() {}

    /**
     * Stage 1: the auto-encoder loss on {@code [reconstruction, I_L, I_H]}.
     *
     * @param lambda the energy weight
     * @return the loss
     */
    public static TrainLoss autoencoder(double lambda) {
        return (out, x, y, terms) -> {
            NDArray rec = out.get(0).sub(x).square().mean();
            NDArray eh = out.get(2).square().mean();
            terms.add("rec", rec.getFloat());
            terms.add("energyH", eh.getFloat());
            terms.add("energyL", out.get(1).square().mean().getFloat());
            return rec.add(eh.mul((float) lambda));
        };
    }

    /**
     * Stage 3: classification plus the weighted auto-encoder loss on {@code [logits, I_L, I_H,
     * reconstruction]}.
     *
     * @param lambda the energy weight
     * @param gamma the auto-encoder weight
     * @return the loss
     */
    public static TrainLoss joint(double lambda, double gamma) {
        return (out, x, y, terms) -> {
            NDArray ce = TrainLoss.crossEntropy(out.get(0), y);
            NDArray rec = out.get(3).sub(x).square().mean();
            NDArray eh = out.get(2).square().mean();
            terms.add("ce", ce.getFloat());
            terms.add("rec", rec.getFloat());
            terms.add("energyH", eh.getFloat());
            terms.add("energyL", out.get(1).square().mean().getFloat());
            return ce.add(rec.add(eh.mul((float) lambda)).mul((float) gamma));
        };
    }

    /**
     * The classification loss alone, logging the sub-image energies.
     *
     * @return the loss
     */
    public static TrainLoss classification() {
        return (NDList out, NDArray x, NDArray y, org.waecompress.spi.train.LossTerms terms) -> {
            NDArray ce = TrainLoss.crossEntropy(out.get(0), y);
            terms.add("ce", ce.getFloat());
            if (out.size() >= 3) {
                terms.add("energyH", out.get(2).square().mean().getFloat());
                terms.add("energyL", out.get(1).square().mean().getFloat());
            }
            return ce;
        };
    }
}

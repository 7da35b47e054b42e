package org.waecompress.wae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import org.waecompress.spi.train.TrainLoss;

/**
 * WAE's objectives (the paper's section "Wavelet-like auto-encoder"):
 * {@code l_r = ||I - I'||^2}, {@code l_e = ||I_H||^2}, {@code L_t = l_r + lambda l_e} and
 * {@code L = L_c + gamma L_t}, with {@code L_c} the cross-entropy of the summed scores.
 *
 * <p>With {@link Scale#SUM} (the paper's) the squared norms are sums over each image's
 * values, averaged over the batch like the cross-entropy, so {@code gamma} weighs the auto-encoder term
 * against {@code L_c} as the paper does. {@link Scale#MEAN} averages over the values instead, which
 * weighs {@code L_t} 1/(C*H*W) as much in stage 3 (1/1,024 at 1x32x32) and {@code l_e} four times as
 * much against {@code l_r} (I_H has a quarter of I's values); it is the harness's default because the
 * paper's weight diverged at the run's rate and was 2.25 points worse at a tenth of it (docs/wae.md).
 * The terms are logged as means, {@code
 * ce}, {@code rec}, {@code energyH} and {@code energyL} (the energy of I_L, logged only, to watch the
 * split), whatever the scale.
 */
public final class WaeLoss {

    /** How the squared norms are normalised. */
    public enum Scale {
        /** Sums over each image's values (the paper's). */
        SUM,
        /** Means over the values. */
        MEAN
    }

    private WaeLoss() {}

    /** A per-value mean square as the scale wants it: times the values per example for {@link Scale#SUM}. */
    private static NDArray norm(NDArray meanSquare, NDArray of, Scale scale) {
        return scale == Scale.SUM ? meanSquare.mul((float) (of.size() / of.getShape().get(0))) : meanSquare;
    }

    /**
     * Stage 1 with the default scale, {@link Scale#MEAN}.
     *
     * @param lambda the energy weight
     * @return the loss
     */
    public static TrainLoss autoencoder(double lambda) {
        return autoencoder(lambda, Scale.MEAN);
    }

    /**
     * Stage 1: the auto-encoder loss on {@code [reconstruction, I_L, I_H]}.
     *
     * @param lambda the energy weight
     * @param scale how the squared norms are normalised
     * @return the loss
     */
    public static TrainLoss autoencoder(double lambda, Scale scale) {
        return (out, x, y, terms) -> {
            NDArray rec = out.get(0).sub(x).square().mean();
            NDArray eh = out.get(2).square().mean();
            terms.add("rec", rec.getFloat());
            terms.add("energyH", eh.getFloat());
            terms.add("energyL", out.get(1).square().mean().getFloat());
            return norm(rec, x, scale).add(norm(eh, out.get(2), scale).mul((float) lambda));
        };
    }

    /**
     * Stage 3 with the default scale, {@link Scale#MEAN}.
     *
     * @param lambda the energy weight
     * @param gamma the auto-encoder weight
     * @return the loss
     */
    public static TrainLoss joint(double lambda, double gamma) {
        return joint(lambda, gamma, Scale.MEAN);
    }

    /**
     * Stage 3: classification plus the weighted auto-encoder loss on {@code [logits, I_L, I_H,
     * reconstruction]}.
     *
     * @param lambda the energy weight
     * @param gamma the auto-encoder weight
     * @param scale how the squared norms are normalised
     * @return the loss
     */
    public static TrainLoss joint(double lambda, double gamma, Scale scale) {
        return (out, x, y, terms) -> {
            NDArray ce = TrainLoss.crossEntropy(out.get(0), y);
            NDArray rec = out.get(3).sub(x).square().mean();
            NDArray eh = out.get(2).square().mean();
            terms.add("ce", ce.getFloat());
            terms.add("rec", rec.getFloat());
            terms.add("energyH", eh.getFloat());
            terms.add("energyL", out.get(1).square().mean().getFloat());
            return ce.add(norm(rec, x, scale).add(norm(eh, out.get(2), scale).mul((float) lambda)).mul((float) gamma));
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

package org.waecompress.wae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.train.NetworkTrainer;
import org.waecompress.spi.train.TrainSettings;

/**
 * The sweep that picks the energy weight lambda, which the paper does not publish: train stage 1 for
 * each candidate on a training split and measure, on a held-out split, the reconstruction error and
 * how much of the sub-images' energy I_H carries. The chosen lambda is the largest-PSNR one among
 * those that keep {@code E(I_H) < 0.1 E(I_L)}.
 */
public final class LambdaSweep {

    /**
     * One candidate's held-out result.
     *
     * @param lambda the energy weight
     * @param reconstructionMse mean squared reconstruction error
     * @param psnr reconstruction PSNR in dB (peak = the held-out images' value range)
     * @param energyLow mean squared value of I_L
     * @param energyHigh mean squared value of I_H
     */
    public record Point(double lambda, double reconstructionMse, double psnr, double energyLow, double energyHigh) {
        /**
         * Returns the energy ratio.
         *
         * @return {@code E(I_H) / E(I_L)}
         */
        public double ratio() {
            return energyHigh / energyLow;
        }
    }

    private LambdaSweep() {}

    /**
     * Runs the sweep.
     *
     * @param train the training split
     * @param heldOut the held-out split
     * @param lambdas the candidates
     * @param stage1 the stage-1 training settings
     * @param trainer the trainer
     * @return one point per candidate
     */
    public static List<Point> run(ImageDataset train, ImageDataset heldOut, double[] lambdas, TrainSettings stage1,
            NetworkTrainer trainer) {
        List<Point> out = new ArrayList<>();
        for (double lambda : lambdas) {
            try (Network init = Network.random(WaeArchitecture.autoencoder(train.sampleShape(),
                    WaeArchitectureOptions.paper()),
                    train.numClasses(), stage1.seed());
                    Network ae = trainer.train("sweep lambda=" + lambda, init, train, WaeLoss.autoencoder(lambda),
                            stage1, n -> true).network()) {
                out.add(evaluate(ae, heldOut, lambda));
            }
        }
        return out;
    }

    static Point evaluate(Network ae, ImageDataset data, double lambda) {
        double se = 0;
        double el = 0;
        double eh = 0;
        long n = 0;
        long nl = 0;
        float lo = Float.MAX_VALUE;
        float hi = -Float.MAX_VALUE;
        try (NDManager m = Devices.newManager(); BuiltNetwork b = ae.build(m)) {
            for (int from = 0; from < data.size(); from += 256) {
                int[] idx = new int[Math.min(256, data.size() - from)];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = from + i;
                }
                try (NDManager sm = m.newSubManager()) {
                    NDArray x = data.batch(sm, idx).get(0);
                    NDList o = b.forward(new NDList(x), false);
                    se += o.get(0).sub(x).square().sum().getFloat();
                    el += o.get(1).square().sum().getFloat();
                    eh += o.get(2).square().sum().getFloat();
                    n += x.size();
                    nl += o.get(1).size();
                    lo = Math.min(lo, x.min().getFloat());
                    hi = Math.max(hi, x.max().getFloat());
                }
            }
        }
        double mse = se / n;
        return new Point(lambda, mse, 10 * Math.log10((hi - lo) * (hi - lo) / mse), el / nl, eh / nl);
    }
}

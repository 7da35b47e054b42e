package org.waecompress.spi.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.spec.ParamDef;

/**
 * One training step of {@link NetworkTrainer}: forward, loss, backward and every parameter's update, in its
 * own scope; with replicas on other devices, the data-parallel step.
 */
final class TrainStep {
    private final BuiltNetwork built;
    private final List<BuiltNetwork> replicas;
    private final ImageDataset data;
    private final TrainLoss loss;
    private final LossTerms terms;
    private final List<TrainedParameter> updated;
    private final TrainSettings settings;
    private final String task;

    TrainStep(BuiltNetwork built, List<BuiltNetwork> replicas, ImageDataset data, TrainLoss loss, LossTerms terms,
            List<TrainedParameter> updated, TrainSettings settings, String task) {
        this.built = built;
        this.replicas = replicas;
        this.data = data;
        this.loss = loss;
        this.terms = terms;
        this.updated = updated;
        this.settings = settings;
        this.task = task;
    }

    /**
     * Returns the loss terms the steps so far recorded (reset by the trainer at each epoch).
     *
     * @return the terms
     */
    LossTerms terms() {
        return terms;
    }

    float run(int[] idx, double learningRate, long step, int epoch, int batch) {
        try (NDManager sm = built.manager().newSubManager()) {
            NDList xy = data.batch(sm, idx);
            NDArray x = settings.augmentation().applyTo(xy.get(0), settings.seed(), epoch, batch);
            NDArray y = xy.get(1);
            if (!replicas.isEmpty()) {
                return runParallel(x, y, learningRate, step, epoch, batch);
            }
            float value;
            try (GradientCollector gc = collector(sm)) {
                NDList out = built.forward(new NDList(x), true);
                NDArray l = loss.compute(out, x, y, terms);
                if (l.getDataType() != ai.djl.ndarray.types.DataType.FLOAT32) {
                    throw new CompressionException(task + ": the loss must be a float32 scalar, got "
                            + l.getDataType() + " (multiply by float constants, not double)");
                }
                value = l.getFloat();
                if (!Float.isFinite(value)) {
                    throw new TrainingDivergedException(task, epoch, batch, value);
                }
                gc.backward(l);
            }
            NDManager stateManager = built.manager();
            for (TrainedParameter p : updated) {
                NDArray w = p.parameter().getArray();
                try (NDArray g = w.getGradient()) {
                    p.updater().update(p.name(), w, g, (float) (learningRate * p.factor()), step, stateManager);
                }
            }
            return value;
        }
    }

    /** Opens the engine's gradient collector; only one can be open in a JVM. */
    private GradientCollector collector(NDManager m) {
        try {
            return m.getEngine().newGradientCollector();
        } catch (IllegalStateException e) {
            throw new CompressionException(task + ": another gradient collector is open in this JVM; "
                    + "training must not be nested inside another training step", e);
        }
    }

    /**
     * One data-parallel step: the batch split into one shard per device (the primary and each replica),
     * each shard's forward and backward pass on its device, the gradients weighted by the shards' shares
     * of the batch and summed on the primary (the full batch's mean gradient), one update there, and the
     * primary's parameters (running statistics included) copied back to the replicas.
     */
    private float runParallel(NDArray x, NDArray y, double learningRate, long step, int epoch, int batch) {
        int n = Math.toIntExact(x.getShape().get(0));
        List<BuiltNetwork> nets = new ArrayList<>();
        nets.add(built);
        nets.addAll(replicas.subList(0, Math.min(replicas.size(), n - 1)));
        int k = nets.size();
        double lossSum = 0;
        double[] share = new double[k];
        for (int i = 0; i < k; i++) {
            int from = (int) ((long) i * n / k);
            int to = (int) ((long) (i + 1) * n / k);
            share[i] = (to - from) / (double) n;
            BuiltNetwork net = nets.get(i);
            try (NDManager shard = net.manager().newSubManager()) {
                NDArray xs = x.get(from + ":" + to).toDevice(shard.getDevice(), true);
                NDArray ys = y.get(from + ":" + to).toDevice(shard.getDevice(), true);
                xs.attach(shard);
                ys.attach(shard);
                try (GradientCollector gc = collector(shard)) {
                    NDArray l = loss.compute(net.forward(new NDList(xs), true), xs, ys, terms);
                    float value = l.getFloat();
                    if (!Float.isFinite(value)) {
                        throw new TrainingDivergedException(task, epoch, batch, value);
                    }
                    lossSum += value * share[i];
                    gc.backward(l);
                }
            }
        }
        NDManager stateManager = built.manager();
        for (TrainedParameter p : updated) {
            NDArray w = p.parameter().getArray();
            try (NDManager tmp = stateManager.newSubManager()) {
                NDArray own = w.getGradient();
                own.attach(tmp);
                NDArray g = own.mul((float) share[0]);
                for (int i = 1; i < k; i++) {
                    NDArray rg = nets.get(i).parameters().get(p.name()).getArray().getGradient();
                    NDArray moved = rg.toDevice(w.getDevice(), true);
                    moved.attach(tmp);
                    g = g.add(moved.mul((float) share[i]));
                    g.attach(tmp);
                    // backward adds to a gradient: the replica's is cleared for the next step, as the
                    // primary's is by its update (DJL's own zeroGradients does the same)
                    rg.subi(rg);
                    rg.attach(tmp);
                }
                p.updater().update(p.name(), w, g, (float) (learningRate * p.factor()), step, stateManager);
            }
        }
        // what this step changed: the trained weights, and batch-norm's running statistics (not trainable, moved by
        // the forward pass); frozen weights are the replicas' already
        Map<String, ParamDef> defs = built.parameterDefs();
        for (BuiltNetwork r : replicas) {
            built.parameters().forEach((name, p) -> {
                if (p.requiresGradient() || !defs.get(name).kind().trainable()) {
                    p.getArray().copyTo(r.parameters().get(name).getArray());
                }
            });
        }
        return (float) lossSum;
    }
}

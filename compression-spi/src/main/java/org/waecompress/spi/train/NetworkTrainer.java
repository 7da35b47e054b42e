package org.waecompress.spi.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import org.waecompress.spi.CompressionException;
import org.waecompress.spi.DataException;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.ParamDef;

/**
 * The training and evaluation loop that strategies and the harness share.
 *
 * <p>Plain SGD with momentum on a network built from its spec: each step runs in its own {@link
 * NDManager} scope (without one, native memory grows by the size of the activations every step),
 * inside its own gradient collector. The engine allows one gradient collector per JVM at a time, so
 * training calls are serialised by a lock; a caller must not hold a collector open while calling.
 * Weight decay can spare biases and batch-norm parameters (two optimizer instances), and parameters can
 * move at different fractions of the rate ({@link #trainWithRates}). Training batches
 * are augmented as {@link TrainSettings#augmentation()} says; the loss sees the augmented images. A loss that
 * becomes NaN or infinite stops training with a {@link TrainingDivergedException} naming the epoch
 * and batch.
 */
public final class NetworkTrainer {

    private static final ReentrantLock COLLECTOR_LOCK = new ReentrantLock();

    private final ProgressListener listener;

    /**
     * Creates a trainer that reports to {@code listener}.
     *
     * @param listener where progress and epoch summaries go
     */
    public NetworkTrainer(ProgressListener listener) {
        this.listener = listener == null ? ProgressListener.NONE : listener;
    }

    /**
     * Trains every parameter of a network with the cross-entropy of its logits.
     *
     * @param task a description for progress and errors
     * @param network the network to start from (unchanged)
     * @param data the training data
     * @param settings the settings
     * @return the trained network and its history
     */
    public TrainResult train(String task, Network network, ImageDataset data, TrainSettings settings) {
        return train(task, network, data, TrainLoss.crossEntropy(), settings, name -> true);
    }

    /**
     * Trains a network.
     *
     * @param task a description for progress and errors
     * @param network the network to start from (unchanged)
     * @param data the training data
     * @param loss the objective over the network's outputs
     * @param settings the settings
     * @param trainable which parameters (by full name) are updated; the others stay frozen
     * @return the trained network and its history
     */
    public TrainResult train(String task, Network network, ImageDataset data, TrainLoss loss,
            TrainSettings settings, Predicate<String> trainable) {
        return trainWithRates(task, network, data, loss, settings, name -> trainable.test(name) ? 1.0 : 0.0);
    }

    /**
     * Trains a network with a learning-rate factor per parameter: a parameter moves at the settings'
     * rate (and schedule) times its factor, and a factor of 0 freezes it. Parameters with the same
     * factor share one optimizer, so momentum and Adam state are kept per parameter as usual.
     *
     * @param task a description for progress and errors
     * @param network the network to start from (unchanged)
     * @param data the training data
     * @param loss the objective over the network's outputs
     * @param settings the settings
     * @param rateFactor each parameter's factor (by full name): finite and at least 0
     * @return the trained network and its history
     * @throws IllegalArgumentException if a factor is negative or not finite
     */
    public TrainResult trainWithRates(String task, Network network, ImageDataset data, TrainLoss loss,
            TrainSettings settings, ToDoubleFunction<String> rateFactor) {
        checkShapes(network, data);
        int n = data.size();
        int bs = Math.min(settings.batchSize(), n);
        // A final batch of one sample would break batch-norm after global pooling; it is dropped.
        int steps = n / bs + (n % bs >= 2 ? 1 : 0);
        if (settings.maxBatchesPerEpoch() > 0) {
            steps = Math.min(steps, settings.maxBatchesPerEpoch());
        }
        if (steps == 0) {
            throw new DataException(data.name() + ": too few samples (" + n + ") to train");
        }
        Engine.getInstance().setRandomSeed((int) settings.seed());
        List<EpochStats> history = new ArrayList<>();
        COLLECTOR_LOCK.lock();
        try (NDManager base = NDManager.newBaseManager(); BuiltNetwork built = network.build(base)) {
            double[] lr = {settings.learningRate()};
            Map<OptimizerGroup, Optimizer> byGroup = new HashMap<>();
            List<Parameter> updated = new ArrayList<>();
            List<Optimizer> optimizers = new ArrayList<>();
            Map<String, ParamDef> defs = built.parameterDefs();
            for (Map.Entry<String, Parameter> e : built.parameters().entrySet()) {
                ParamDef def = defs.get(e.getKey());
                double factor = def.kind().trainable() ? rateFactor.applyAsDouble(e.getKey()) : 0;
                if (!(factor >= 0) || Double.isInfinite(factor)) {
                    throw new IllegalArgumentException(task + ": learning-rate factor of " + e.getKey() + " is "
                            + factor + "; expected a finite value >= 0");
                }
                if (factor > 0) {
                    boolean decay = !def.kind().biasLike() || settings.decayBiasAndNorm();
                    updated.add(e.getValue());
                    optimizers.add(byGroup.computeIfAbsent(new OptimizerGroup(factor, decay), g -> optimizer(settings,
                            numUpdate -> (float) (lr[0] * factor), decay ? (float) settings.weightDecay() : 0f)));
                } else {
                    e.getValue().freeze(true);
                }
            }
            if (updated.isEmpty()) {
                throw new CompressionException(task + ": no parameter is trainable");
            }
            LossTerms terms = new LossTerms();
            long step = 0;
            int[] order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
                shuffle(order, new SplittableRandom(settings.seed() * 1_000_003L + epoch));
                terms.reset();
                double lossSum = 0;
                Progress progress = new Progress(listener,
                        String.format(Locale.ROOT, "%s epoch %d/%d", task, epoch, settings.epochs()), steps);
                for (int b = 0; b < steps; b++) {
                    int from = b * bs;
                    int to = Math.min(n, from + bs);
                    int[] idx = java.util.Arrays.copyOfRange(order, from, to);
                    lr[0] = settings.learningRateAt(step, steps);
                    float value = step(built, data, idx, loss, terms, updated, optimizers, settings.augmentation(),
                            settings.seed(), task, epoch, b + 1);
                    lossSum += value;
                    step++;
                    progress.step(1, String.format(Locale.ROOT, "loss %.4f lr %.4g", lossSum / (b + 1), lr[0]));
                }
                double secs = progress.elapsedSeconds();
                EpochStats stats = new EpochStats(epoch, lossSum / steps, terms.means(), lr[0], secs,
                        (double) steps * bs / secs);
                history.add(stats);
                listener.message(String.format(Locale.ROOT, "%s epoch %d/%d: loss %.4f %s (%.1fs, %.0f img/s)",
                        task, epoch, settings.epochs(), stats.loss(), formatTerms(stats.terms()), secs,
                        stats.samplesPerSecond()));
            }
            return new TrainResult(Network.fromBuilt(built, network.classes()), history);
        } finally {
            COLLECTOR_LOCK.unlock();
        }
    }

    /** Parameters that share one optimizer: the same rate factor, and weight decay or none. */
    private record OptimizerGroup(double rateFactor, boolean decayed) {}

    private static Optimizer optimizer(TrainSettings s, Tracker lr, float decay) {
        if (s.optimizer() == TrainSettings.OptimizerKind.ADAM) {
            return Optimizer.adam().optLearningRateTracker(lr).optWeightDecays(decay).build();
        }
        return Optimizer.sgd().setLearningRateTracker(lr).optMomentum((float) s.momentum()).optWeightDecays(decay)
                .build();
    }

    private static float step(BuiltNetwork built, ImageDataset data, int[] idx, TrainLoss loss, LossTerms terms,
            List<Parameter> updated, List<Optimizer> optimizers, Augmentation augmentation, long seed, String task,
            int epoch, int batch) {
        try (NDManager sm = built.manager().newSubManager()) {
            NDList xy = data.batch(sm, idx);
            NDArray x = augment(xy.get(0), augmentation, seed, epoch, batch);
            NDArray y = xy.get(1);
            float value;
            GradientCollector gc;
            try {
                gc = sm.getEngine().newGradientCollector();
            } catch (IllegalStateException e) {
                throw new CompressionException(task + ": another gradient collector is open in this JVM; "
                        + "training must not be nested inside another training step", e);
            }
            try (gc) {
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
            for (int i = 0; i < updated.size(); i++) {
                Parameter p = updated.get(i);
                NDArray w = p.getArray();
                try (NDArray g = w.getGradient()) {
                    optimizers.get(i).update(p.getId(), w, g);
                }
            }
            return value;
        }
    }

    /** Returns the batch augmented in the same manager, or the batch itself when nothing is to be done. */
    private static NDArray augment(NDArray x, Augmentation augmentation, long seed, int epoch, int batch) {
        if (!augmentation.active()) {
            return x;
        }
        Shape s = x.getShape();
        if (s.dimension() != 4) {
            throw new DataException("augmentation needs image batches (N, C, H, W), got " + s);
        }
        float[] pixels = x.toFloatArray();
        augmentation.apply(pixels, (int) s.get(0), (int) s.get(1), (int) s.get(2), (int) s.get(3),
                Augmentation.random(seed, epoch, batch));
        return x.getManager().create(FloatBuffer.wrap(pixels), s);
    }

    /**
     * Evaluates top-1 and top-5 error.
     *
     * @param task a description for progress
     * @param network the network
     * @param data the test data
     * @param batchSize samples per forward pass
     * @return the errors
     */
    public Accuracy evaluate(String task, Network network, ImageDataset data, int batchSize) {
        checkShapes(network, data);
        try (NDManager base = NDManager.newBaseManager(); BuiltNetwork built = network.build(base)) {
            return evaluate(task, built, data, batchSize);
        }
    }

    /**
     * Evaluates a built network.
     *
     * @param task a description for progress
     * @param built the built network
     * @param data the test data
     * @param batchSize samples per forward pass
     * @return the errors
     */
    public Accuracy evaluate(String task, BuiltNetwork built, ImageDataset data, int batchSize) {
        int n = data.size();
        int wrong1 = 0;
        int wrong5 = 0;
        Progress progress = new Progress(listener, task, n);
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            int[] idx = new int[to - from];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = from + i;
            }
            try (NDManager sm = built.manager().newSubManager()) {
                NDList xy = data.batch(sm, idx);
                NDArray logits = built.predict(xy.get(0));
                int classes = (int) logits.getShape().get(1);
                float[] s = logits.toFloatArray();
                for (int i = 0; i < idx.length; i++) {
                    int label = data.label(idx[i]);
                    float own = s[i * classes + label];
                    int higher = 0;
                    for (int c = 0; c < classes; c++) {
                        float v = s[i * classes + c];
                        // Ties count against the sample, so a constant output cannot look accurate.
                        if (c != label && v >= own) {
                            higher++;
                        }
                    }
                    if (higher >= 1) {
                        wrong1++;
                    }
                    if (higher >= 5) {
                        wrong5++;
                    }
                }
            }
            progress.step(idx.length, "");
        }
        return new Accuracy(wrong1 / (double) n, wrong5 / (double) n, n);
    }

    private static void checkShapes(Network network, ImageDataset data) {
        if (!data.sampleShape().equals(network.inputShape())) {
            throw new DataException(data.name() + ": images have shape " + data.sampleShape()
                    + " but network '" + network.spec().name() + "' expects " + network.inputShape());
        }
        if (data.numClasses() > network.classes()) {
            throw new DataException(data.name() + ": " + data.numClasses() + " classes but network '"
                    + network.spec().name() + "' has " + network.classes() + " outputs");
        }
    }

    private static void shuffle(int[] a, SplittableRandom r) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static String formatTerms(Map<String, Double> terms) {
        StringBuilder sb = new StringBuilder();
        terms.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "%s=%.4f ", k, v)));
        return sb.toString().trim();
    }
}

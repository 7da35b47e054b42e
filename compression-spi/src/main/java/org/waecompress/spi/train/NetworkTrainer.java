package org.waecompress.spi.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.device.EngineLock;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.error.DataException;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.ParamDef;

/**
 * The training loop that strategies and the harness share ({@link Evaluator} measures the result,
 * {@link Augmentation} transforms the batches, {@code MemoryGrowthCheck} watches the network's manager,
 * {@code TrainCheckpoint} keeps a call's state).
 *
 * <p>SGD with momentum, or Adam ({@link TrainSettings#optimizer()}), on a network built from its spec:
 * each step runs in its own {@link NDManager} scope (without one, native memory grows by the size of the
 * activations every step), inside its own gradient collector. The engine allows one gradient collector
 * per JVM at a time, so training calls are serialised by a lock; a caller must not hold a collector open
 * while calling.
 * Weight decay can spare biases and batch-norm parameters, and parameters can move at different
 * fractions of the rate ({@link #trainWithRateFactors}). Training batches are augmented as {@link
 * TrainSettings#augmentation()} says; the loss sees the augmented images. A loss that becomes NaN or
 * infinite stops training with a {@link TrainingDivergedException} naming the epoch and batch. A trainer
 * made by {@link #withCheckpoints} saves its state after every epoch and continues an interrupted call
 * where it stopped; the checkpoints of strategies' own loops are {@link StageCheckpoints} ({@link #stages}).
 */
public final class NetworkTrainer {

    private final ProgressListener listener;
    private final Path checkpointDir;
    private final String scope;
    private final Duration checkpointEvery;
    /** When this trainer last saved a checkpoint (or was made): shared by all its calls, one row's. */
    private final AtomicLong lastSave;
    /** The checkpoints of strategies' own loops, on the same folder, scope and clock. */
    private final StageCheckpoints stages;
    /** The checkpoint clock, in nanoseconds (tests drive it by hand). */
    private final LongSupplier clock;

    /**
     * Creates a trainer that reports to {@code listener} and keeps no checkpoints.
     *
     * @param listener where progress and epoch summaries go
     */
    public NetworkTrainer(ProgressListener listener) {
        this(listener, null, "", Duration.ZERO, System::nanoTime);
    }

    private NetworkTrainer(ProgressListener listener, Path checkpointDir, String scope, Duration checkpointEvery,
            LongSupplier clock) {
        this.listener = listener == null ? ProgressListener.NONE : listener;
        this.checkpointDir = checkpointDir;
        this.scope = scope;
        this.checkpointEvery = checkpointEvery;
        this.clock = clock;
        this.lastSave = new AtomicLong(clock.getAsLong());
        this.stages = new StageCheckpoints(this.listener, checkpointDir, scope, checkpointEvery, clock);
    }

    /**
     * Returns this trainer with another checkpoint clock, for tests that must not depend on how fast
     * the machine trains.
     *
     * @param nanos the clock, in nanoseconds
     * @return the trainer
     */
    NetworkTrainer withClock(LongSupplier nanos) {
        return new NetworkTrainer(listener, checkpointDir, scope, checkpointEvery, nanos);
    }

    /**
     * Returns a trainer that reports to the same listener and writes checkpoints to {@code dir}: after
     * an epoch, once at least {@code every} of training has passed since this trainer's last
     * checkpoint (or since it was made), the epochs done, every parameter and the optimizer state. The
     * clock is the trainer's, not the call's: a strategy that makes many short calls through one
     * trainer still saves once a minute (with the default interval) at the end of whichever epoch
     * crosses it, so a kill loses at most the interval or one epoch, whichever is longer, of the
     * call it interrupts. A later call with the same task, settings, network, data, rate factors and
     * scope (in this JVM or another) continues after the last saved epoch, and one whose last epoch
     * was saved returns its result without training; the result is the one an uninterrupted call
     * gives. The files stay until the caller deletes the folder.
     *
     * @param dir the checkpoint folder (created when the first checkpoint is written)
     * @param scope what else the result depends on that the trainer cannot see (a strategy's id and
     *     settings, which determine its loss), part of the fingerprint
     * @param every the least training time between two checkpoints of this trainer ({@link Duration#ZERO}:
     *     after every epoch)
     * @return the trainer
     */
    public NetworkTrainer withCheckpoints(Path dir, String scope, Duration every) {
        if (every.isNegative()) {
            throw new IllegalArgumentException("checkpoint interval " + every + " is negative");
        }
        return new NetworkTrainer(listener, Objects.requireNonNull(dir, "dir"), Objects.requireNonNull(scope,
                "scope"), every, clock);
    }

    /**
     * Returns the checkpoints of a strategy's own loop (ThiNet's layers, Taylor's steps) in this row's
     * checkpoint folder, on this trainer's interval and with its scope: none when the trainer keeps no
     * checkpoints.
     *
     * @return the stage checkpoints
     */
    public StageCheckpoints stages() {
        return stages;
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
        return trainWithRateFactors(task, network, data, loss, settings, name -> trainable.test(name) ? 1.0 : 0.0);
    }

    /**
     * Trains a network with a learning-rate factor per parameter: a parameter moves at the settings'
     * rate (and schedule) times its factor, and a factor of 0 freezes it. Momentum and Adam state are
     * kept per parameter as usual.
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
    public TrainResult trainWithRateFactors(String task, Network network, ImageDataset data, TrainLoss loss,
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
        Map<String, Double> factors = rateFactors(task, network, rateFactor);
        TrainCheckpoint checkpoint = checkpointDir == null ? null
                : TrainCheckpoint.of(checkpointDir, task, TrainCheckpoint.describe(scope, task, network, data,
                        settings, factors));
        // the engine's one gradient collector and random generator are this call's until it returns
        try (EngineLock.Held held = EngineLock.hold(); NDManager base = Devices.newManager()) {
            Engine.getInstance().setRandomSeed((int) settings.seed());
            TrainCheckpoint.Saved saved = checkpoint == null ? null : checkpoint.read(base);
            if (saved != null && saved.epochsDone() >= settings.epochs()) {
                listener.message(String.format(Locale.ROOT, "%s: %s restored from %s", task,
                        settings.epochs() == 1 ? "its 1 epoch" : "all " + settings.epochs() + " epochs",
                        checkpoint.file()));
                return new TrainResult(Network.of(network.spec(), network.classes(), saved.weights(),
                        checkpoint.file().toString()), saved.history());
            }
            try (Network resumed = saved == null ? null : Network.of(network.spec(), network.classes(),
                    saved.weights(), checkpoint.file().toString());
                    BuiltNetwork built = (resumed == null ? network : resumed).build(base)) {
                if (saved != null) {
                    saved.weights().values().forEach(NDArray::close);
                }
                return train(task, built, network.classes(), data, loss, settings, factors, steps, bs, checkpoint,
                        saved, base);
            }
        }
    }

    private TrainResult train(String task, BuiltNetwork built, int classes, ImageDataset data, TrainLoss loss,
            TrainSettings settings, Map<String, Double> factors, int steps, int bs, TrainCheckpoint checkpoint,
            TrainCheckpoint.Saved saved, NDManager base) {
        int n = data.size();
        ParameterUpdater decayed = new ParameterUpdater(settings.optimizer(), (float) settings.momentum(),
                (float) settings.weightDecay());
        ParameterUpdater undecayed = new ParameterUpdater(settings.optimizer(), (float) settings.momentum(), 0f);
        List<TrainedParameter> updated = new ArrayList<>();
        Map<String, ParamDef> defs = built.parameterDefs();
        for (Map.Entry<String, Parameter> e : built.parameters().entrySet()) {
            double factor = factors.get(e.getKey());
            if (factor > 0) {
                boolean decay = !defs.get(e.getKey()).kind().biasLike() || settings.decayBiasAndNorm();
                ParameterUpdater u = decay ? decayed : undecayed;
                updated.add(new TrainedParameter(e.getKey(), e.getValue(), u, factor));
                if (saved != null && saved.states().containsKey(e.getKey())) {
                    u.restore(e.getKey(), saved.states().get(e.getKey()), base);
                }
            } else {
                e.getValue().freeze(true);
            }
        }
        if (updated.isEmpty()) {
            throw new CompressionException(task + ": no parameter is trainable");
        }
        List<EpochStats> history = new ArrayList<>();
        int first = 1;
        if (saved != null) {
            history.addAll(saved.history());
            first = saved.epochsDone() + 1;
            listener.message(String.format(Locale.ROOT, "%s: resuming at epoch %d/%d from %s", task, first,
                    settings.epochs(), checkpoint.file()));
        }
        List<BuiltNetwork> replicas = replicas(built, classes, updated);
        TrainStep stepper = new TrainStep(built, replicas, data, loss, new LossTerms(), updated, settings, task);
        LearningRateSchedule schedule = settings.schedule(steps);
        MemoryGrowthCheck growth = new MemoryGrowthCheck(task, built.manager(), listener);
        long step = (long) (first - 1) * steps;
        double lr = settings.learningRate();
        long callStart = clock.getAsLong();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        // Each epoch shuffles the previous epoch's order; a resumed call replays the shuffles it skips, and the
        // engine's generator (dropout) is seeded per epoch, so a resumed epoch is the one an uninterrupted
        // call would have run.
        for (int e = 1; e < first; e++) {
            shuffle(order, new SplittableRandom(settings.seed() * 1_000_003L + e));
        }
        for (int epoch = first; epoch <= settings.epochs(); epoch++) {
            shuffle(order, new SplittableRandom(settings.seed() * 1_000_003L + epoch));
            Engine.getInstance().setRandomSeed((int) (settings.seed() + 1_000_003L * (epoch - 1)));
            stepper.terms().reset();
            double lossSum = 0;
            Progress progress = new Progress(listener,
                    String.format(Locale.ROOT, "%s epoch %d/%d", task, epoch, settings.epochs()), steps);
            for (int b = 0; b < steps; b++) {
                if (org.waecompress.spi.error.StopRequest.requested()) {
                    org.waecompress.spi.error.StopRequest.check(task + " (epoch " + epoch + ", step " + (b + 1) + ")");
                }
                int from = b * bs;
                int to = Math.min(n, from + bs);
                int[] idx = java.util.Arrays.copyOfRange(order, from, to);
                lr = schedule.valueAt(step);
                float value = stepper.run(idx, lr, step + 1, epoch, b + 1);
                lossSum += value;
                step++;
                progress.step(1, String.format(Locale.ROOT, "loss %.4f lr %.4g", lossSum / (b + 1), lr));
                if (b == 0) {
                    growth.afterFirstStep();
                }
            }
            growth.afterEpoch(epoch);
            double secs = progress.elapsedSeconds();
            EpochStats stats = new EpochStats(epoch, lossSum / steps, stepper.terms().means(), lr, secs,
                    (double) steps * bs / secs);
            history.add(stats);
            // the row's interval has passed, or a call of at least a tenth of it ends: a later call that
            // crosses the interval must not leave this one to be redone on resume
            boolean lastOfLongCall = epoch == settings.epochs()
                    && clock.getAsLong() - callStart >= checkpointEvery.toNanos() / 10;
            if (checkpoint != null && (clock.getAsLong() - lastSave.get() >= checkpointEvery.toNanos()
                    || lastOfLongCall)) {
                checkpoint.write(history, built.parameters(), List.of(decayed, undecayed));
                lastSave.set(clock.getAsLong());
            }
            listener.message(String.format(Locale.ROOT, "%s epoch %d/%d: loss %.4f %s (%.1fs, %.0f img/s)",
                    task, epoch, settings.epochs(), stats.loss(), formatTerms(stats.terms()), secs,
                    stats.samplesPerSecond()));
        }
        replicas.forEach(NetworkTrainer::closeReplica);
        return new TrainResult(Network.fromBuilt(built, classes), history);
    }

    /**
     * Builds one replica of the network on every device after the first ({@link Devices#all()}), for data
     * parallel training; none on one device. A replica trains the primary's trained parameters and leaves the
     * others frozen.
     */
    private static List<BuiltNetwork> replicas(BuiltNetwork built, int classes, List<TrainedParameter> updated) {
        List<Device> devices = Devices.all();
        List<BuiltNetwork> out = new ArrayList<>();
        if (devices.size() < 2) {
            return out;
        }
        Set<String> trained = new HashSet<>();
        updated.forEach(p -> trained.add(p.name()));
        try (Network snapshot = Network.fromBuilt(built, classes)) {
            for (Device d : devices.subList(1, devices.size())) {
                BuiltNetwork r = snapshot.build(NDManager.newBaseManager(d));
                r.parameters().forEach((name, p) -> {
                    if (!trained.contains(name)) {
                        p.freeze(true);
                    }
                });
                out.add(r);
            }
        }
        return out;
    }

    private static void closeReplica(BuiltNetwork r) {
        NDManager m = r.manager();
        r.close();
        m.close();
    }

    /** Each parameter's learning-rate factor (0 for what is not trained), checked, in the spec's order. */
    private static Map<String, Double> rateFactors(String task, Network network,
            ToDoubleFunction<String> rateFactor) {
        Map<String, Double> factors = new LinkedHashMap<>();
        for (Map.Entry<String, ParamDef> e : network.spec().parameters().entrySet()) {
            double factor = e.getValue().kind().trainable() ? rateFactor.applyAsDouble(e.getKey()) : 0;
            if (!(factor >= 0) || Double.isInfinite(factor)) {
                throw new IllegalArgumentException(task + ": learning-rate factor of " + e.getKey() + " is "
                        + factor + "; expected a finite value >= 0");
            }
            factors.put(e.getKey(), factor);
        }
        return factors;
    }

    static void checkShapes(Network network, ImageDataset data) {
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

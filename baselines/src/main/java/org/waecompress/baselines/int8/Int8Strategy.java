package org.waecompress.baselines.int8;

import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.data.SyntheticImages;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.setting.Setting;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.QuantRole;
import org.waecompress.spi.spec.SpecException;

/**
 * Static int8 quantization (Jacob et al., CVPR 2018; ONNX Runtime's QDQ format): batch-norm folded,
 * weights int8 symmetric per output channel, activations uint8 per tensor with ranges calibrated on a
 * seeded sample of training images, biases int32; with {@code fineTuneEpochs > 0}, quantization-aware
 * training of the simulated int8 network. The result is a network of the spec's {@code quantize} and
 * {@code int8} nodes: the PyTorch engine runs it as simulated quantization, ONNX Runtime in int8.
 *
 * <p>It changes number formats, not architecture, so it stacks after any other strategy and must be
 * the last stage: pruning or decomposing a quantized network would discard its calibration.
 */
public final class Int8Strategy implements CompressionStrategy {

    /** Images calibrated on when only an architecture is asked for (random weights, synthetic images). */
    static final int ARCHITECTURE_IMAGES = 8;

    @Override
    public String id() {
        return "int8";
    }

    @Override
    public String description() {
        return "Static int8 quantization: batch-norm folded, int8 weights per channel, uint8 activations calibrated "
                + "on training images, int32 biases (Jacob et al. 2018, ONNX Runtime's QDQ format)";
    }

    @Override
    public List<Setting<?>> settings() {
        return Int8Settings.ALL;
    }

    @Override
    public boolean lastInStack() {
        return true;
    }

    @Override
    public void checkSettings(CompressionContext ctx) {
        Int8Settings s = Int8Settings.from(ctx);
        if (ctx.fineTune() != null && s.calibrationImages() < ctx.fineTune().batchSize()) {
            throw new InvalidSettingException(ctx.key(Int8Settings.CALIBRATION_IMAGES.name()), s.calibrationImages(),
                    "fewer calibration images than one batch (" + ctx.fineTune().batchSize() + "); give at least "
                    + ctx.fineTune().batchSize() + " or lower train.batchSize");
        }
    }

    /**
     * The quantized architecture of a backbone without its weights: calibrated on random weights and
     * {@value #ARCHITECTURE_IMAGES} synthetic images, which is what speed tables time (int8 kernels take
     * as long whatever the scales are).
     */
    @Override
    public NetworkSpec architecture(NetworkSpec backbone, CompressionContext ctx) {
        Int8Settings s = Int8Settings.from(ctx);
        Shape in = backbone.inputShape();
        try (Network random = Network.random(backbone, classes(backbone), ctx.seed())) {
            ImageDataset images = SyntheticImages.create(ctx.seed(), ARCHITECTURE_IMAGES, in, 10, 0.1);
            try (Network q = quantize(random, images, IntStream.range(0, ARCHITECTURE_IMAGES).toArray(),
                    ARCHITECTURE_IMAGES, s, ctx)) {
                return q.spec().withName(ctx.strategyId() + "-" + backbone.name());
            }
        }
    }

    private static int classes(NetworkSpec spec) {
        Shape out = spec.outputShape();
        return (int) out.get(out.dimension() - 1);
    }

    @Override
    public String architectureNote(CompressionContext ctx) {
        return "calibrated on " + ARCHITECTURE_IMAGES + " synthetic images for a random draw of the architecture's "
                + "weights (its scales fit those weights only; int8 kernels take as long whatever the scales are)";
    }

    @Override
    public String tableNote(CompressionContext ctx) {
        Int8Settings s = Int8Settings.from(ctx);
        String how = switch (s.calibrator()) {
            case "percentile" -> "percentile " + s.percentile() + " of |x|";
            case "entropy" -> "entropy (least KL divergence)";
            default -> "min-max";
        };
        return (s.fineTuneEpochs() > 0 ? "quantization-aware training for " + s.fineTuneEpochs() + " epochs after "
                : "post-training ") + "int8 (activations uint8 per tensor, " + how + " ranges from "
                + s.calibrationImages() + " training images; weights int8 per channel; batch-norm folded); the "
                + "PyTorch engine runs it as simulated int8 in float";
    }

    @Override
    public Network compress(Network trained, CompressionContext ctx) {
        Int8Settings s = Int8Settings.from(ctx);
        ImageDataset data = ctx.trainData();
        if (data == null) {
            throw new InvalidSettingException(ctx.key(Int8Settings.CALIBRATION_IMAGES.name()), s.calibrationImages(),
                    "int8 needs calibration images and this run has no training data");
        }
        int batch = ctx.fineTune() == null ? 64 : ctx.fineTune().batchSize();
        int images = Math.min(s.calibrationImages(), data.size());
        if (images < batch) {
            throw new InvalidSettingException(ctx.key(Int8Settings.CALIBRATION_IMAGES.name()), s.calibrationImages(),
                    (images < s.calibrationImages() ? "the training data has only " + data.size() + " images, "
                            : "") + "fewer calibration images than one batch (" + batch + "); give at least " + batch
                            + " images or lower the batch size");
        }
        if (images < s.calibrationImages()) {
            ctx.progress().message(ctx.strategyId() + ": the training data has " + data.size() + " images; calibrating "
                    + "on all of them instead of " + s.calibrationImages());
        }
        Network q = quantize(trained, data, sample(data.size(), images, ctx.seed()), batch, s, ctx);
        if (s.fineTuneEpochs() == 0) {
            return q;
        }
        try (q) {
            return ctx.fineTuneStep(ctx.strategyId() + " quantization-aware training", q, s.fineTuneEpochs(), 0,
                    ctx.fineTuneRate(Int8Settings.RATE_FACTOR));
        }
    }

    /** Folds, plans, calibrates and quantizes. */
    static Network quantize(Network trained, ImageDataset images, int[] indices, int batch, Int8Settings s,
            CompressionContext ctx) {
        if (trained.spec().nodes().stream().noneMatch(v -> v.node().quantRole() == QuantRole.WEIGHTED)) {
            throw new SpecException(trained.spec().name() + ": has no layer int8 can quantize (no convolution or "
                    + "linear layer, nor a node type whose quantRole is WEIGHTED); int8 speeds up networks whose time "
                    + "is in such layers");
        }
        try (Network folded = Int8Quantizer.fold(trained)) {
            Int8Quantizer.Planned observing = Int8Quantizer.plan(folded.spec(), null);
            ctx.progress().message(ctx.strategyId() + ": calibrating " + observing.points() + " quantization points on "
                    + indices.length + " images (" + s.calibrator() + ")");
            Map<Integer, Calibrators.Range> ranges;
            try (Network obs = Network.of(observing.spec(), folded.classes(), folded.weights(), "int8 calibration")) {
                ranges = Calibration.calibrate(obs, observing, images, indices, batch, s.calibrator(), s.percentile(),
                        ctx.strategyId(), ctx.progress());
            }
            Int8Quantizer.Planned planned = Int8Quantizer.plan(folded.spec(), ranges);
            if (!planned.floatNodes().isEmpty()) {
                ctx.progress().message(ctx.strategyId() + ": left in float: " + String.join(", ",
                        planned.floatNodes()));
            }
            return Network.of(planned.spec().withName("int8-" + trained.spec().name()), folded.classes(),
                    folded.weights(), "int8 quantization");
        }
    }

    /** {@code count} indices drawn without replacement, seeded. */
    static int[] sample(int size, int count, long seed) {
        int[] order = IntStream.range(0, size).toArray();
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x1A78L);
        int k = Math.min(count, size);
        for (int i = 0; i < k; i++) {
            int j = i + rnd.nextInt(size - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return Arrays.copyOf(order, k);
    }
}

package org.waecompress.wae;

import java.util.List;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.setting.Setting;
import org.waecompress.spi.spec.ChannelMultiple;
import org.waecompress.spi.train.TrainSettings;

/**
 * The WAE strategy's settings ({@code strategy.wae.*}, and the same keys for {@code decomposition}
 * and {@code wavelet}).
 *
 * <p>Choices where the paper is silent, and why:
 * <ul>
 *   <li>{@code lambda} (energy weight, unpublished) = 0.1 with means (0.4 with the paper's sums, the
 *   same stage-1 objective: I_H has a quarter of I's values): a stage-1 sweep over 0, 0.1, 0.3,
 *   1, 3, 10 with means on Fashion-MNIST (5,000 training images, 2,000 held-out; {@link LambdaSweep},
 *   recorded in docs/wae.md) gave the best held-out reconstruction among the values that keep I_H's
 *   energy under a tenth of I_L's (0.1: PSNR 19.6 dB, energy ratio 0.015; 0 leaves a ratio of 0.12;
 *   larger values shrink both sub-images and lose PSNR).</li>
 *   <li>{@code gamma} = 0.001 (a secondary source's value for the paper).</li>
 *   <li>{@code lossScale} = mean: {@code l_r} and {@code l_e} are averaged over each image's values.
 *   The paper's {@code sum} (squared norms summed over each image, so {@code gamma L_t} weighs
 *   C*H*W times more against the cross-entropy) made stage 3 diverge at the run's rate on the quick
 *   preset (loss infinite at batch 16) and, at a tenth of the rate, gave 21.01% top-1 error against
 *   18.76% with means (one seed, the same trained backbone; docs/wae.md).</li>
 *   <li>Stage budgets: stage 2 + stage 3 together get the run's fine-tune epochs (the same budget
 *   the baselines get), split as ceil(E/2) + floor(E/2) (at least 1 each); stage 1 (the cheap
 *   auto-encoder) gets two epochs. Stage 1 uses Adam at 0.003 without weight decay: with SGD the
 *   auto-encoder collapsed towards a near-zero output in the same number of steps (reconstruction
 *   PSNR 15 dB against 23 dB with Adam on the synthetic test set). Stages 2 and 3 use the run's
 *   optimizer and rate (cosine within each stage). A tenth of the rate for stage 3, the usual
 *   fine-tuning choice, was 3.2 points worse on the quick preset (23.63% against 20.42% top-1
 *   error), because the classifiers have had only stage 2 to learn.</li>
 *   <li>{@code fusionZeroInit} = true: the fusion head's output layer starts at zero, so at the start
 *   of stage 2 the score is the low branch's alone (the trained backbone's classifier on I_L) and
 *   the fusion head learns a correction on top of it. With random output weights the untrained
 *   fusion head adds noise to a pretrained prediction that the short fine-tuning budgets must first
 *   undo. Measured (docs/wae.md, "Losses and training"): the decomposition baseline gains 0.4 to 2.7
 *   points of top-1 error, WAE itself moves within run-to-run noise (+-0.15).</li>
 *   <li>{@code stage3.encoderRateFactor} = 1: the encoder moves at stage 3's full rate, which lets it
 *   drift far from the auto-encoder's optimum (I_L's energy 5 -> 35 on 20,000 Fashion-MNIST images).
 *   Holding it back (0.1) kept the split wavelet-like but cost 0.77 points of top-1 error there
 *   (9.73% against 8.96%, docs/wae.md): the encoder trained jointly with the classifiers generalises
 *   better.</li>
 * </ul>
 *
 * @param lambda weight of the energy loss on I_H
 * @param gamma weight of the auto-encoder loss in stage 3
 * @param lossScale how the squared norms are normalised
 * @param options the architecture options
 * @param initLowFromBase whether the low branch starts from the trained backbone's weights
 * @param fusionZeroInit whether the fusion head's output layer starts at zero
 * @param stage1 training of the auto-encoder
 * @param stage2 training of the classifiers with the encoder frozen
 * @param stage3 joint fine-tuning
 * @param stage3EncoderRateFactor the encoder's (and split's) learning rate in stage 3 as a fraction of
 *     stage 3's rate: 1 trains it like the rest, 0 keeps the stage-1 encoder
 */
public record WaeSettings(double lambda, double gamma, WaeLoss.Scale lossScale, WaeArchitectureOptions options,
        boolean initLowFromBase,
        boolean fusionZeroInit, TrainSettings stage1, TrainSettings stage2, TrainSettings stage3,
        double stage3EncoderRateFactor) {

    static final Setting<String> LOSS_SCALE = Setting.choice("lossScale", "mean",
            "how l_r and l_e are normalised: mean (averaged over each image's values) or sum (the paper's "
                    + "squared norms, summed)", "mean", "sum");
    static final Setting<Double> LAMBDA = Setting.real("lambda", "0.1 with lossScale mean, 0.4 with sum (the same "
            + "stage-1 objective)", "weight of the energy loss on I_H").atLeast(0);
    static final Setting<Double> GAMMA = Setting.real("gamma", 0.001,
            "weight of the auto-encoder loss in stage 3").atLeast(0);
    static final Setting<Integer> ENCODER_CHANNELS = Setting.integer("encoderChannels", 16,
            "channels of the encoder's convolutions").atLeast(1);
    static final Setting<Integer> DECODER_CHANNELS = Setting.integer("decoderChannels", 16,
            "channels of the decoder's convolutions (training only)").atLeast(1);
    static final Setting<Boolean> SPLIT_NORM = Setting.flag("splitNorm", true,
            "batch-normalise I_L and I_H (non-affine, normLow and normHigh) before the low and high branches");
    static final Setting<Double> HIGH_WIDTH = Setting.real("highWidth", 0.25,
            "width of the high branch (I_H's network) as a fraction of the backbone's").above(0).atMost(1);
    static final Setting<Integer> CHANNEL_MULTIPLE = ChannelMultiple.setting(1, "the high branch's widths (the "
            + "backbone's times highWidth) round to the nearest multiple of this (at least one multiple): 8 or 16 "
            + "for the blocked layouts of ONNX Runtime's and oneDNN's kernels");
    static final Setting<Boolean> HIGH_BRANCH = Setting.flag("highBranch", true,
            "classify with both sub-images (false: Table 3's I_L-only ablation)");
    static final Setting<Integer> LOW_HEAD_WIDTH = Setting.integer("lowHeadWidth", -1,
            "width of the low branch's classifier head (0: none)").atLeast(-1)
            .shownAs("-1 (auto: 1024 for fully connected classifiers, else the backbone's head)");
    static final Setting<Integer> FUSION_HEAD_WIDTH = Setting.integer("fusionHeadWidth", -1,
            "width of the fusion head (0: none)").atLeast(-1)
            .shownAs("-1 (auto: 2048 for fully connected classifiers, else the backbone's head)");
    static final Setting<Boolean> INIT_LOW_FROM_BASE = Setting.flag("initLowFromBase", true,
            "the low branch starts from the trained backbone's weights");
    static final Setting<Boolean> FUSION_ZERO_INIT = Setting.flag("fusionZeroInit", true,
            "the fusion head's output layer starts at zero");
    static final Setting<Integer> STAGE1_EPOCHS = Setting.integer("stage1.epochs", 2,
            "epochs of stage 1 (the auto-encoder)").atLeast(1);
    static final Setting<Double> STAGE1_RATE = Setting.real("stage1.learningRate", 0.003,
            "stage 1's learning rate (Adam)").above(0).shownAs("0.003 (Adam)");
    static final Setting<Integer> STAGE2_EPOCHS = Setting.integer("stage2.epochs",
            "ceil(E/2) of the run's fine-tune epochs E", "epochs of stage 2 (classifiers, encoder frozen)").atLeast(1);
    static final Setting<Double> STAGE2_RATE = Setting.real("stage2.learningRate", "the run's learning rate",
            "stage 2's learning rate").above(0);
    static final Setting<Integer> STAGE3_EPOCHS = Setting.integer("stage3.epochs", "floor(E/2), at least 1",
            "epochs of stage 3 (the whole network; wae: with the joint loss)").atLeast(1);
    static final Setting<Double> STAGE3_RATE = Setting.real("stage3.learningRate", "the run's learning rate",
            "stage 3's learning rate").above(0);
    static final Setting<Double> STAGE3_ENCODER_RATE_FACTOR = Setting.real("stage3.encoderRateFactor", 1,
            "the encoder's stage-3 rate as a fraction of stage 3's (0 freezes it)").atLeast(0).atMost(1);

    /** What {@code wae} reads. */
    static final List<Setting<?>> WAE = List.of(LAMBDA, GAMMA, LOSS_SCALE, ENCODER_CHANNELS, DECODER_CHANNELS,
            SPLIT_NORM, HIGH_WIDTH, CHANNEL_MULTIPLE, HIGH_BRANCH, LOW_HEAD_WIDTH, FUSION_HEAD_WIDTH,
            INIT_LOW_FROM_BASE, FUSION_ZERO_INIT,
            STAGE1_EPOCHS, STAGE1_RATE, STAGE2_EPOCHS, STAGE2_RATE, STAGE3_EPOCHS, STAGE3_RATE,
            STAGE3_ENCODER_RATE_FACTOR);

    /**
     * What {@code decomposition} and {@code wavelet} read: the test-time network's options and the
     * classification-only budget (stage 2 + stage 3 epochs at stage 2's rate); no auto-encoder.
     */
    static final List<Setting<?>> SHAPED_BASELINE = List.of(ENCODER_CHANNELS, SPLIT_NORM, HIGH_WIDTH,
            CHANNEL_MULTIPLE, HIGH_BRANCH,
            LOW_HEAD_WIDTH, FUSION_HEAD_WIDTH, INIT_LOW_FROM_BASE, FUSION_ZERO_INIT, STAGE2_EPOCHS, STAGE2_RATE,
            STAGE3_EPOCHS);

    /**
     * Reads the settings of {@code wae}.
     *
     * @param ctx the context (its settings subset and default training settings)
     * @return the settings
     * @throws InvalidSettingException naming the first bad key
     */
    public static WaeSettings from(CompressionContext ctx) {
        WaeLoss.Scale scale = ctx.get(LOSS_SCALE).equals("sum") ? WaeLoss.Scale.SUM : WaeLoss.Scale.MEAN;
        double lambda = ctx.get(LAMBDA, scale == WaeLoss.Scale.SUM ? 0.4 : 0.1);
        TrainSettings base = ctx.fineTune();
        TrainSettings s1 = base.toBuilder().optimizer(TrainSettings.OptimizerKind.ADAM).weightDecay(0)
                .epochs(ctx.get(STAGE1_EPOCHS)).learningRate(ctx.get(STAGE1_RATE)).build();
        return new WaeSettings(lambda, ctx.get(GAMMA), scale, options(ctx, ctx.get(DECODER_CHANNELS)),
                ctx.get(INIT_LOW_FROM_BASE), ctx.get(FUSION_ZERO_INIT), s1, stage2(ctx), stage3(ctx, true),
                ctx.get(STAGE3_ENCODER_RATE_FACTOR));
    }

    /**
     * Reads the settings of {@code decomposition} and {@code wavelet} ({@link #SHAPED_BASELINE}); what
     * they do not read keeps its default.
     *
     * @param ctx the context
     * @return the settings
     */
    public static WaeSettings forShapedBaseline(CompressionContext ctx) {
        TrainSettings base = ctx.fineTune();
        return new WaeSettings(LAMBDA_MEAN, GAMMA.defaultValue(), WaeLoss.Scale.MEAN,
                options(ctx, DECODER_CHANNELS.defaultValue()), ctx.get(INIT_LOW_FROM_BASE), ctx.get(FUSION_ZERO_INIT),
                base, stage2(ctx), stage3(ctx, false), STAGE3_ENCODER_RATE_FACTOR.defaultValue());
    }

    private static final double LAMBDA_MEAN = 0.1;

    private static WaeArchitectureOptions options(CompressionContext ctx, int decoderChannels) {
        return new WaeArchitectureOptions(ctx.get(ENCODER_CHANNELS), ctx.get(SPLIT_NORM), ctx.get(HIGH_WIDTH),
                ctx.get(HIGH_BRANCH),
                ctx.get(LOW_HEAD_WIDTH), ctx.get(FUSION_HEAD_WIDTH), decoderChannels, ctx.get(CHANNEL_MULTIPLE));
    }

    private static TrainSettings stage2(CompressionContext ctx) {
        TrainSettings base = ctx.fineTune();
        return base.toBuilder().epochs(ctx.get(STAGE2_EPOCHS, Math.max(1, (base.epochs() + 1) / 2)))
                .learningRate(ctx.get(STAGE2_RATE, base.learningRate())).build();
    }

    private static TrainSettings stage3(CompressionContext ctx, boolean ownRate) {
        TrainSettings base = ctx.fineTune();
        return base.toBuilder().epochs(ctx.get(STAGE3_EPOCHS, Math.max(1, base.epochs() / 2)))
                .learningRate(ownRate ? ctx.get(STAGE3_RATE, base.learningRate()) : base.learningRate()).build();
    }
}

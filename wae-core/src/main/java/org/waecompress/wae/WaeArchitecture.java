package org.waecompress.wae;

import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.waecompress.spi.spec.ActivationSpec;
import org.waecompress.spi.spec.BatchNormSpec;
import org.waecompress.spi.spec.ConcatSpec;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.ConvTransposeSpec;
import org.waecompress.spi.spec.DropoutSpec;
import org.waecompress.spi.spec.FlattenSpec;
import org.waecompress.spi.spec.GlobalAvgPoolSpec;
import org.waecompress.spi.spec.HeightWidth;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecRewriter;
import org.waecompress.spi.spec.WidthScaling;

/**
 * Builds WAE networks around any backbone spec that has a feature/classifier split.
 *
 * <p>The low branch is the backbone's feature extractor, unchanged, on the half-resolution I_L; its
 * head is the backbone's classifier re-fitted to the half-resolution features (or the released
 * model's 1024-1024 fully connected head). The high branch is the same feature extractor at a
 * quarter of the width on I_H. The fusion head classifies the concatenation of both feature maps
 * (the released model: 2048-2048). For ResNet the features end at the last stage before global
 * pooling, and both heads are global pooling plus one linear layer.
 */
public final class WaeArchitecture {

    /** How the image is split into I_L and I_H. */
    public enum SplitKind {
        /** The learned encoder (WAE and the decomposition baseline). */
        LEARNED,
        /** A fixed CDF 9/7 wavelet transform: cA plays I_L, the three detail bands I_H. */
        WAVELET
    }

    private WaeArchitecture() {}

    /**
     * Builds the classification network.
     *
     * @param backbone the backbone spec at full input resolution
     * @param o the architecture options
     * @param kind the split
     * @param withDecoder whether to include the training-time decoder
     * @return the spec
     */
    public static NetworkSpec classifier(NetworkSpec backbone, WaeArchitectureOptions o, SplitKind kind,
            boolean withDecoder) {
        BackboneSplit bs = BackboneSplit.of(backbone, "backbone");
        Shape in = backbone.inputShape();
        int c = (int) in.get(0);
        int classes = (int) backbone.outputShape().get(0);
        LayerSpec encoder = kind == SplitKind.LEARNED ? encoder(c, o.encoderChannels()) : null;
        LayerSpec split = kind == SplitKind.LEARNED ? learnedSplit(c, o.encoderChannels()) : new DwtNode("split");
        int highChannels = kind == SplitKind.LEARNED ? c : 3 * c;
        Shape half = kind == SplitKind.LEARNED
                ? new Shape(c, (in.get(1) + 1) / 2, (in.get(2) + 1) / 2)
                : new Shape(c, in.get(1) / 2, in.get(2) / 2);
        SequentialSpec lowSeq = new SequentialSpec("low", bs.features());
        LayerSpec low = SpecRewriter.rewrite(lowSeq, "low", half, (p, leaf, s) -> leaf);
        Shape fl = new NetworkSpec("probe", half, low).outputShape();
        // the paper's fully connected heads replace a classifier that reads the flattened maps through two or
        // more linear layers (VGG's); one that pools the maps first (MobileNetV3's) is kept and re-fitted
        boolean fcBackbone = bs.classifier().stream()
                .mapToLong(n -> countDense(n)).sum() >= 2 && !(bs.classifier().get(0) instanceof GlobalAvgPoolSpec);
        LayerSpec lowHead = head("lowHead", bs, fl, classes, width(o.lowHeadWidth(), fcBackbone, 1024));
        LayerSpec high = null;
        LayerSpec fusion = null;
        if (o.highBranch()) {
            Shape hin = new Shape(highChannels, half.get(1), half.get(2));
            high = SpecRewriter.rewrite(new SequentialSpec("high", bs.features()), "high", hin,
                    WidthScaling.rule(o.highWidth(), java.util.Set.of(), o.highChannelMultiple()));
            Shape fh = new NetworkSpec("probe", hin, high).outputShape();
            Shape cat = new Shape(fl.get(0) + fh.get(0), fl.get(1), fl.get(2));
            fusion = head("fusionHead", bs, cat, classes, width(o.fusionHeadWidth(), fcBackbone, 2048));
        }
        LayerSpec normL = o.splitNorm() ? new BatchNormSpec("normLow", c, false, 1e-5, 0.1) : null;
        LayerSpec normH = o.splitNorm() && o.highBranch()
                ? new BatchNormSpec("normHigh", highChannels, false, 1e-5, 0.1) : null;
        LayerSpec decoder = withDecoder ? decoder(c, highChannels, o.decoderChannels()) : null;
        WaeClassifier root = new WaeClassifier("", encoder, split, c, normL, normH, low, lowHead, high, fusion,
                decoder);
        String prefix = kind == SplitKind.LEARNED ? "wae-" : "wavelet-";
        return new NetworkSpec(prefix + backbone.name() + (o.highBranch() ? "" : "-il-only"), in, root);
    }

    /**
     * Builds the auto-encoder alone (training stage 1), with the classifier's child names.
     *
     * @param input the image shape
     * @param o the options
     * @return the spec
     */
    public static NetworkSpec autoencoder(Shape input, WaeArchitectureOptions o) {
        int c = (int) input.get(0);
        return new NetworkSpec("wae-autoencoder", input, new WaeAutoencoder("", encoder(c, o.encoderChannels()),
                learnedSplit(c, o.encoderChannels()), c, decoder(c, c, o.decoderChannels())));
    }

    static LayerSpec encoder(int c, int w) {
        return SequentialSpec.of("encoder",
                ConvSpec.of("conv1", c, w, 3, 1, 1, true), ActivationSpec.relu("relu1"),
                ConvSpec.of("conv2", w, w, 3, 1, 1, true), ActivationSpec.relu("relu2"),
                ConvSpec.of("conv3", w, w, 3, 1, 1, true), ActivationSpec.relu("relu3"));
    }

    static LayerSpec learnedSplit(int c, int w) {
        return new ConcatSpec("split", List.of(ConvSpec.of("ca", w, c, 3, 2, 1, true), ConvSpec.of("ch", w, c, 3, 2, 1,
                true)));
    }

    static LayerSpec decoder(int c, int highChannels, int w) {
        return new WaeDecoder("decoder", c, decoderBranch("low", c, c, w), decoderBranch("high", highChannels, c, w));
    }

    private static LayerSpec decoderBranch(String name, int in, int out, int w) {
        return SequentialSpec.of(name,
                new ConvTransposeSpec("deconv", in, w, HeightWidth.of(4), HeightWidth.of(2), HeightWidth.of(1),
                        HeightWidth.of(0), true), ActivationSpec.relu("relu1"),
                ConvSpec.of("conv1", w, w, 3, 1, 1, true), ActivationSpec.relu("relu2"),
                ConvSpec.of("conv2", w, w, 3, 1, 1, true), ActivationSpec.relu("relu3"),
                ConvSpec.of("conv3", w, out, 3, 1, 1, true));
    }

    private static long countDense(LayerSpec n) {
        long k = n instanceof LinearSpec ? 1 : 0;
        for (LayerSpec c : n.children()) {
            k += countDense(c);
        }
        return k;
    }

    private static int width(int setting, boolean fcBackbone, int paperWidth) {
        if (setting >= 0) {
            return setting;
        }
        return fcBackbone ? paperWidth : 0;
    }

    private static LayerSpec head(String name, BackboneSplit bs, Shape features, int classes, int hidden) {
        if (hidden > 0) {
            int flat = (int) features.size();
            return SequentialSpec.of(name, new FlattenSpec("flatten"),
                    new LinearSpec("fc1", flat, hidden, true), ActivationSpec.relu("relu1"), new DropoutSpec("drop1",
                            0.5),
                    new LinearSpec("fc2", hidden, hidden, true), ActivationSpec.relu("relu2"),
                            new DropoutSpec("drop2", 0.5),
                    new LinearSpec("fc3", hidden, classes, true));
        }
        return SpecRewriter.rewrite(new SequentialSpec(name, bs.classifier()), name, features, (p, leaf, s) -> leaf);
    }
}

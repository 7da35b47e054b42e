package org.waecompress.backbones;

import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.waecompress.spi.spec.ActivationSpec;
import org.waecompress.spi.spec.BatchNormSpec;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.DropoutSpec;
import org.waecompress.spi.spec.FlattenSpec;
import org.waecompress.spi.spec.GlobalAvgPoolSpec;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.PoolSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecException;
import org.waecompress.spi.spec.WidthScaling;

/**
 * VGG backbones (Simonyan and Zisserman, 2015, https://arxiv.org/abs/1409.1556) as specs.
 *
 * <p>The ImageNet layouts reproduce torchvision's {@code vgg16} / {@code vgg16_bn}: the same module
 * indices ({@code features.0.weight}, {@code classifier.6.bias}) and, at 3x224x224, the same
 * 138,357,544 parameters. torchvision's adaptive average pool to 7x7 is the identity at 224 and is
 * left out, so at other sizes the classifier's input is what the last pool gives: 512x3x3 at 112
 * with floor pooling, 512x4x4 with Caffe's ceil pooling (the WAE paper's 3.89 G MACs for VGG16 at
 * 112).
 *
 * <p>The small-image variant ({@link #smallBn}) is the VGG-16-BN used by CIFAR pruning papers: the
 * same 13 convolutions with batch-norm, ceil-mode pools (so it also runs at 16x16, where the last
 * pool sees a 1x1 map) and a global-average-pool head with one linear classifier.
 */
public final class Vgg {

    /** VGG16's convolution widths, with 0 for a max-pool ("configuration D"). */
    static final int[] CONFIG_D = {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0};

    private Vgg() {}

    /**
     * Returns torchvision's VGG16 ({@code batchNorm} false) or VGG16-BN.
     *
     * @param input the input shape {@code (C, H, W)}
     * @param classes the number of classes
     * @param batchNorm whether each convolution is followed by batch-norm
     * @param ceilPools whether the pools round up (Caffe) instead of down (torchvision)
     * @return the spec
     */
    public static NetworkSpec vgg16(Shape input, int classes, boolean batchNorm, boolean ceilPools) {
        // torchvision keeps the convolution bias even before batch-norm.
        List<LayerSpec> features = features(input, batchNorm, ceilPools, 1.0, true);
        NetworkSpec convOnly = new NetworkSpec("probe", input, new SequentialSpec("features", features));
        Shape f = convOnly.outputShape();
        int flat = (int) f.size();
        LayerSpec classifier = SequentialSpec.of("classifier",
                new LinearSpec(null, flat, 4096, true), ActivationSpec.relu(null), new DropoutSpec(null, 0.5),
                new LinearSpec(null, 4096, 4096, true), ActivationSpec.relu(null), new DropoutSpec(null, 0.5),
                new LinearSpec(null, 4096, classes, true));
        String name = (batchNorm ? "vgg16-bn" : "vgg16") + (ceilPools ? "-ceil" : "");
        return new NetworkSpec(name, input, SequentialSpec.of("",
                new SequentialSpec("features", features), new FlattenSpec("flatten"), classifier));
    }

    /**
     * Returns the small-image VGG-16-BN with a global-average-pool head.
     *
     * @param input the input shape, for example {@code (1, 32, 32)}
     * @param classes the number of classes
     * @param width the width factor applied to VGG16's channel counts (rounding as {@link
     *     WidthScaling#scaled})
     * @return the spec
     */
    public static NetworkSpec smallBn(Shape input, int classes, double width) {
        List<LayerSpec> features = features(input, true, true, width, false);
        NetworkSpec probe = new NetworkSpec("probe", input, new SequentialSpec("features", features));
        int c = (int) probe.outputShape().get(0);
        String name = "vgg16-bn-small" + (width == 1.0 ? "" : "-w" + width);
        return new NetworkSpec(name, input, SequentialSpec.of("",
                new SequentialSpec("features", features), new GlobalAvgPoolSpec("avgpool"),
                new LinearSpec("classifier", c, classes, true)));
    }

    private static List<LayerSpec> features(Shape input, boolean batchNorm, boolean ceilPools, double width,
            boolean convBias) {
        if (input.dimension() != 3) {
            throw new SpecException("VGG input shape must be (C, H, W), got " + input);
        }
        List<LayerSpec> layers = new ArrayList<>();
        int in = (int) input.get(0);
        for (int v : CONFIG_D) {
            if (v == 0) {
                layers.add(PoolSpec.max(null, 2, 2, 0, ceilPools));
                continue;
            }
            int out = WidthScaling.scaled(v, width);
            layers.add(ConvSpec.of(null, in, out, 3, 1, 1, convBias));
            if (batchNorm) {
                layers.add(BatchNormSpec.of(null, out));
            }
            layers.add(ActivationSpec.relu(null));
            in = out;
        }
        return layers;
    }
}

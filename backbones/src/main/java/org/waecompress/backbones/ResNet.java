package org.waecompress.backbones;

import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.waecompress.spi.spec.ActivationSpec;
import org.waecompress.spi.spec.BatchNormSpec;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.GlobalAvgPoolSpec;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.PoolSpec;
import org.waecompress.spi.spec.ResidualSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecException;
import org.waecompress.spi.spec.WidthScaling;

/**
 * ResidualSpec networks (He et al., 2016, https://arxiv.org/abs/1512.03385) as specs.
 *
 * <p>{@link #resnet50} is torchvision's ResNet-50 (v1.5: the stride sits on the 3x3 convolution of
 * a bottleneck) with its parameter names ({@code layer1.0.downsample.1.running_mean}) and, at
 * 3x224x224, its 25,557,032 parameters and 4.09 G MACs. Global average pooling makes it run at any
 * input size of at least 32x32.
 *
 * <p>{@link #cifar} is the CIFAR-style ResNet of the paper's section 4.2: a 3x3 stem with 16
 * channels, three stages of {@code n} basic blocks with 16, 32 and 64 channels ({@code depth = 6n + 2}:
 * ResNet-20 has n = 3, ResNet-56 n = 9), global average pooling and one linear classifier. Where a
 * block changes shape its shortcut is a 1x1 convolution with batch-norm (the paper's option B);
 * inner channels of the blocks are what ThiNet prunes.
 */
public final class ResNet {

    private ResNet() {}

    /**
     * Returns torchvision's ResNet-50.
     *
     * @param input the input shape
     * @param classes the number of classes
     * @return the spec
     */
    public static NetworkSpec resnet50(Shape input, int classes) {
        check(input);
        List<LayerSpec> root = new ArrayList<>();
        root.add(ConvSpec.of("conv1", (int) input.get(0), 64, 7, 2, 3, false));
        root.add(BatchNormSpec.of("bn1", 64));
        root.add(ActivationSpec.relu("relu"));
        root.add(PoolSpec.max("maxpool", 3, 2, 1, false));
        int[] blocks = {3, 4, 6, 3};
        int in = 64;
        for (int stage = 0; stage < 4; stage++) {
            int width = 64 << stage;
            List<LayerSpec> layer = new ArrayList<>();
            for (int b = 0; b < blocks[stage]; b++) {
                int stride = b == 0 && stage > 0 ? 2 : 1;
                layer.add(bottleneck(Integer.toString(b), in, width, stride));
                in = width * 4;
            }
            root.add(new SequentialSpec("layer" + (stage + 1), layer));
        }
        root.add(new GlobalAvgPoolSpec("avgpool"));
        root.add(new LinearSpec("fc", in, classes, true));
        return new NetworkSpec("resnet50", input, new SequentialSpec("", root));
    }

    private static LayerSpec bottleneck(String name, int in, int width, int stride) {
        int out = width * 4;
        LayerSpec body = SequentialSpec.of("",
                ConvSpec.of("conv1", in, width, 1, 1, 0, false), BatchNormSpec.of("bn1", width),
                        ActivationSpec.relu("relu1"),
                ConvSpec.of("conv2", width, width, 3, stride, 1, false), BatchNormSpec.of("bn2", width),
                ActivationSpec.relu("relu2"),
                ConvSpec.of("conv3", width, out, 1, 1, 0, false), BatchNormSpec.of("bn3", out));
        LayerSpec shortcut = stride != 1 || in != out
                ? SequentialSpec.of("downsample", ConvSpec.of("0", in, out, 1, stride, 0, false),
                        BatchNormSpec.of("1", out))
                : null;
        return new ResidualSpec(name, body, shortcut, "relu");
    }

    /**
     * Returns a CIFAR-style ResNet of the given depth.
     *
     * @param depth 6n + 2 (20, 32, 44, 56, 110)
     * @param input the input shape, for example {@code (1, 32, 32)}
     * @param classes the number of classes
     * @param width the width factor applied to 16/32/64 channels
     * @return the spec
     */
    public static NetworkSpec cifar(int depth, Shape input, int classes, double width) {
        check(input);
        if (depth < 8 || (depth - 2) % 6 != 0) {
            throw new SpecException("CIFAR ResNet depth must be 6n+2 (20, 32, 44, 56, 110), got " + depth);
        }
        int n = (depth - 2) / 6;
        int c0 = WidthScaling.scaled(16, width);
        List<LayerSpec> root = new ArrayList<>();
        root.add(ConvSpec.of("conv1", (int) input.get(0), c0, 3, 1, 1, false));
        root.add(BatchNormSpec.of("bn1", c0));
        root.add(ActivationSpec.relu("relu"));
        int in = c0;
        for (int stage = 0; stage < 3; stage++) {
            int w = WidthScaling.scaled(16 << stage, width);
            List<LayerSpec> layer = new ArrayList<>();
            for (int b = 0; b < n; b++) {
                int stride = b == 0 && stage > 0 ? 2 : 1;
                LayerSpec body = SequentialSpec.of("",
                        ConvSpec.of("conv1", in, w, 3, stride, 1, false), BatchNormSpec.of("bn1", w),
                                ActivationSpec.relu("relu1"),
                        ConvSpec.of("conv2", w, w, 3, 1, 1, false), BatchNormSpec.of("bn2", w));
                LayerSpec shortcut = stride != 1 || in != w
                        ? SequentialSpec.of("downsample", ConvSpec.of("0", in, w, 1, stride, 0, false),
                                BatchNormSpec.of("1", w))
                        : null;
                layer.add(new ResidualSpec(Integer.toString(b), body, shortcut, "relu"));
                in = w;
            }
            root.add(new SequentialSpec("layer" + (stage + 1), layer));
        }
        root.add(new GlobalAvgPoolSpec("avgpool"));
        root.add(new LinearSpec("fc", in, classes, true));
        String name = "resnet" + depth + (width == 1.0 ? "" : "-w" + width);
        return new NetworkSpec(name, input, new SequentialSpec("", root));
    }

    private static void check(Shape input) {
        if (input.dimension() != 3) {
            throw new SpecException("ResNet input shape must be (C, H, W), got " + input);
        }
    }
}

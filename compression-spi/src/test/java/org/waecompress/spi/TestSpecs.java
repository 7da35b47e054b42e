package org.waecompress.spi;

import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.waecompress.spi.spec.ActivationSpec;
import org.waecompress.spi.spec.BatchNormSpec;
import org.waecompress.spi.spec.ConcatSpec;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.ConvTransposeSpec;
import org.waecompress.spi.spec.DropoutSpec;
import org.waecompress.spi.spec.FlattenSpec;
import org.waecompress.spi.spec.GateSpec;
import org.waecompress.spi.spec.GlobalAvgPoolSpec;
import org.waecompress.spi.spec.HeightWidth;
import org.waecompress.spi.spec.Int8Spec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.PoolSpec;
import org.waecompress.spi.spec.QuantizeSpec;
import org.waecompress.spi.spec.ResidualSpec;
import org.waecompress.spi.spec.SequentialSpec;

/** Small specs used across the SPI's tests. */
public final class TestSpecs {

    private TestSpecs() {}

    /**
     * Returns a spec that uses every built-in node type (3x16x16 input, 5 classes).
     *
     * @return the spec
     */
    public static NetworkSpec allTypes() {
        return new NetworkSpec("all-types", new Shape(3, 16, 16), SequentialSpec.of("",
                ConvSpec.of("stem", 3, 8, 3, 1, 1, true),
                BatchNormSpec.of("bn", 8),
                ActivationSpec.relu("relu"),
                new ResidualSpec("res", SequentialSpec.of("",
                        ConvSpec.of("conv", 8, 8, 3, 1, 1, false),
                        new BatchNormSpec("bn", 8, false, 1e-5, 0.1),
                        new ActivationSpec("act", "tanh")), null, "relu"),
                new ResidualSpec("down", SequentialSpec.of("", ConvSpec.of("conv", 8, 16, 3, 2, 1, false)),
                        SequentialSpec.of("proj", ConvSpec.of("0", 8, 16, 1, 2, 0, false)), "relu"),
                new ConcatSpec("cat", List.of(
                        ConvSpec.of("a", 16, 4, 1, 1, 0, true),
                        SequentialSpec.of("b", new PoolSpec(null, "avg", HeightWidth.of(3), HeightWidth.of(1),
                                HeightWidth.of(1), true),
                                new ConvSpec(null, 16, 4, new HeightWidth(1, 3), HeightWidth.of(1), new HeightWidth(0,
                                        1),
                                        2, true)))),
                new ConvTransposeSpec("up", 8, 4, HeightWidth.of(4), HeightWidth.of(2), HeightWidth.of(1),
                        HeightWidth.of(0), true),
                PoolSpec.max("pool", 2, 2, 0, true),
                new GateSpec("se", SequentialSpec.of("", new GlobalAvgPoolSpec("squeeze", true),
                        ConvSpec.of("excite", 4, 4, 1, 1, 0, true), new ActivationSpec("hs", "hardsigmoid"))),
                new ActivationSpec("squash", "sigmoid"),
                new FlattenSpec("flat"),
                new DropoutSpec("drop", 0.1),
                new LinearSpec("fc", 256, 5, true)));
    }

    /**
     * Returns a small quantized network (2x6x6 input, 3 classes): quantization points around an int8
     * convolution and an int8 linear layer.
     *
     * @return the spec
     */
    public static NetworkSpec quantized() {
        return new NetworkSpec("quantized", new Shape(2, 6, 6), SequentialSpec.of("",
                new QuantizeSpec("", 0, 0.02f, 128),
                new Int8Spec("conv", ConvSpec.of("conv", 2, 4, 3, 1, 1, true), 0.02f),
                ActivationSpec.relu("relu"),
                new QuantizeSpec("", 1, 0.01f, 0),
                new FlattenSpec("flat"),
                new QuantizeSpec("", 1, 0.01f, 0),
                new Int8Spec("fc", new LinearSpec("fc", 144, 3, true), 0.01f)));
    }

    /**
     * Returns a small CNN with a global-average-pool head.
     *
     * @param channels input channels
     * @param size input height and width
     * @param classes classes
     * @return the spec
     */
    public static NetworkSpec smallCnn(int channels, int size, int classes) {
        return new NetworkSpec("small-cnn", new Shape(channels, size, size), SequentialSpec.of("",
                ConvSpec.of("c1", channels, 16, 3, 1, 1, false), BatchNormSpec.of("b1", 16), ActivationSpec.relu("r1"),
                PoolSpec.max("p1", 2, 2, 0, false),
                ConvSpec.of("c2", 16, 32, 3, 1, 1, false), BatchNormSpec.of("b2", 32), ActivationSpec.relu("r2"),
                new GlobalAvgPoolSpec("gap"),
                new LinearSpec("fc", 32, classes, true)));
    }
}

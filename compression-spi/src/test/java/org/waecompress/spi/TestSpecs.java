package org.waecompress.spi;

import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.waecompress.spi.spec.HeightWidth;
import org.waecompress.spi.spec.Layers.Act;
import org.waecompress.spi.spec.Layers.BatchNorm2d;
import org.waecompress.spi.spec.Layers.Concat;
import org.waecompress.spi.spec.Layers.Conv;
import org.waecompress.spi.spec.Layers.ConvTranspose;
import org.waecompress.spi.spec.Layers.Dense;
import org.waecompress.spi.spec.Layers.Drop;
import org.waecompress.spi.spec.Layers.Flatten;
import org.waecompress.spi.spec.Layers.GlobalAvgPool;
import org.waecompress.spi.spec.Layers.Pool2d;
import org.waecompress.spi.spec.Layers.Residual;
import org.waecompress.spi.spec.Layers.Sequential;
import org.waecompress.spi.spec.NetworkSpec;

/** Small specs used across the SPI's tests. */
public final class TestSpecs {

    private TestSpecs() {}

    /**
     * Returns a spec that uses every built-in node type (3x16x16 input, 5 classes).
     *
     * @return the spec
     */
    public static NetworkSpec allTypes() {
        return new NetworkSpec("all-types", new Shape(3, 16, 16), Sequential.of("",
                Conv.of("stem", 3, 8, 3, 1, 1, true),
                BatchNorm2d.of("bn", 8),
                Act.relu("relu"),
                new Residual("res", Sequential.of("",
                        Conv.of("conv", 8, 8, 3, 1, 1, false),
                        new BatchNorm2d("bn", 8, false, 1e-5, 0.1),
                        new Act("act", "tanh")), null, "relu"),
                new Residual("down", Sequential.of("", Conv.of("conv", 8, 16, 3, 2, 1, false)),
                        Sequential.of("proj", Conv.of("0", 8, 16, 1, 2, 0, false)), "relu"),
                new Concat("cat", List.of(
                        Conv.of("a", 16, 4, 1, 1, 0, true),
                        Sequential.of("b", new Pool2d(null, "avg", HeightWidth.of(3), HeightWidth.of(1),
                                HeightWidth.of(1), true),
                                new Conv(null, 16, 4, new HeightWidth(1, 3), HeightWidth.of(1), new HeightWidth(0, 1),
                                        2, true)))),
                new ConvTranspose("up", 8, 4, HeightWidth.of(4), HeightWidth.of(2), HeightWidth.of(1),
                        HeightWidth.of(0), true),
                Pool2d.max("pool", 2, 2, 0, true),
                new Act("squash", "sigmoid"),
                new Flatten("flat"),
                new Drop("drop", 0.1),
                new Dense("fc", 256, 5, true)));
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
        return new NetworkSpec("small-cnn", new Shape(channels, size, size), Sequential.of("",
                Conv.of("c1", channels, 16, 3, 1, 1, false), BatchNorm2d.of("b1", 16), Act.relu("r1"),
                Pool2d.max("p1", 2, 2, 0, false),
                Conv.of("c2", 16, 32, 3, 1, 1, false), BatchNorm2d.of("b2", 32), Act.relu("r2"),
                new GlobalAvgPool("gap"),
                new Dense("fc", 32, classes, true)));
    }
}

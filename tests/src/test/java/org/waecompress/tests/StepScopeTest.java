package org.waecompress.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.waecompress.backbones.Backbones;
import org.waecompress.baselines.taylor.ChannelGate;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecRewriter;
import org.waecompress.wae.WaeArchitecture;
import org.waecompress.wae.WaeArchitecture.SplitKind;
import org.waecompress.wae.WaeArchitectureOptions;

/**
 * A training step or an inference batch, run in its own sub-manager, must leave nothing in the
 * network's manager: an array left there lives until the network is closed, so a long training
 * run grows by it every step (WAE's auto-encoder once grew by about 9 MB a step through its
 * transposed convolutions). Covers every custom block: transposed convolution, stacked split
 * convolutions, the wavelet split, residual merges, Taylor's channel gates, and int8's quantization points
 * and int8 layers (which derive their rounded weights from the parameters every step).
 */
class StepScopeTest {

    private static final Shape IMAGE = new Shape(1, 32, 32);

    static Stream<Arguments> networks() {
        NetworkSpec vgg = Backbones.create("vgg16-bn-small", IMAGE, 10, 0.25);
        NetworkSpec gated = SpecRewriter.rewrite(vgg, (p, leaf, in) -> leaf instanceof ConvSpec c
                ? SequentialSpec.of(c.name(), new ConvSpec("", c.in(), c.out(), c.kernel(), c.stride(),
                        c.padding(), c.groups(), c.bias()), new ChannelGate("gate", c.out()))
                : leaf);
        WaeArchitectureOptions o = WaeArchitectureOptions.paper();
        NetworkSpec int8 = org.waecompress.spi.plugin.StrategyRegistry.discover().get("int8").architecture(
                Backbones.create("resnet20", IMAGE, 10, 0.25), new org.waecompress.spi.CompressionContext("int8",
                        new org.apache.commons.configuration2.MapConfiguration(new java.util.HashMap<String, Object>()),
                        7, null, new org.waecompress.spi.train.NetworkTrainer(null),
                        org.waecompress.spi.train.TrainSettings.builder().build(), null, null));
        return Stream.of(vgg, Backbones.create("resnet20", IMAGE, 10, 0.25), gated.withName("taylor-gated"), int8,
                WaeArchitecture.autoencoder(IMAGE, o),
                WaeArchitecture.classifier(vgg, o, SplitKind.LEARNED, true),
                WaeArchitecture.classifier(vgg, o, SplitKind.WAVELET, false))
                .map(spec -> Arguments.of(spec.name(), spec));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void stepsLeaveNothingInTheNetworksManager(String name, NetworkSpec spec) {
        try (NDManager base = NDManager.newBaseManager(); Network net = Network.random(spec, 10, 7);
                BuiltNetwork built = net.build(base)) {
            step(built, true);
            step(built, false);
            int before = arrays(built);
            for (int i = 0; i < 3; i++) {
                step(built, true);
                step(built, false);
            }
            assertEquals(before, arrays(built), name + ": arrays left in the network's manager by 3 steps");
        }
    }

    private static int arrays(BuiltNetwork built) {
        return ((BaseNDManager) built.manager()).getManagedArrays().size();
    }

    private static void step(BuiltNetwork built, boolean training) {
        try (NDManager sm = built.manager().newSubManager()) {
            NDArray x = sm.randomUniform(0, 1, new Shape(4).addAll(IMAGE));
            if (!training) {
                built.forward(new NDList(x), false);
                return;
            }
            try (GradientCollector gc = sm.getEngine().newGradientCollector()) {
                NDList out = built.forward(new NDList(x), true);
                NDArray loss = out.get(0).square().mean();
                for (NDArray extra : out.subNDList(1)) {
                    loss = loss.add(extra.square().mean());
                }
                gc.backward(loss);
            }
            built.parameters().values().stream()
                    .filter(p -> p.requiresGradient() && p.getArray().hasGradient())
                    .forEach(p -> p.getArray().getGradient().close());
        }
    }
}

package org.waecompress.wae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.configuration2.MapConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.backbones.Backbones;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.data.ArrayImageDataset;
import org.waecompress.spi.data.SyntheticImages;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.plugin.StrategyRegistry;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.train.NetworkTrainer;
import org.waecompress.spi.train.TrainSettings;

class WaeTrainingTest {

    @TempDir
    Path dir;

    static CompressionContext ctx(String id, Map<String, Object> settings, ArrayImageDataset data, int epochs) {
        return ctx(id, settings, data, epochs, null);
    }

    static CompressionContext ctx(String id, Map<String, Object> settings, ArrayImageDataset data, int epochs,
            Path out) {
        return new CompressionContext(id, new MapConfiguration(settings), 7, data, new NetworkTrainer(null),
                TrainSettings.builder().epochs(epochs).batchSize(32).learningRate(0.05).seed(7).build(), null, out);
    }

    /** PSNR (dB) of a reconstruction against its input, with the input's range as peak. */
    static double psnr(float[] x, float[] y) {
        double mse = 0;
        float lo = Float.MAX_VALUE;
        float hi = -Float.MAX_VALUE;
        for (int i = 0; i < x.length; i++) {
            mse += (x[i] - y[i]) * (x[i] - y[i]);
            lo = Math.min(lo, x[i]);
            hi = Math.max(hi, x[i]);
        }
        mse /= x.length;
        return 10 * Math.log10((hi - lo) * (hi - lo) / mse);
    }

    @Test
    void stageOneConcentratesEnergyInLowChannelAndReconstructs() {
        ArrayImageDataset data = SyntheticImages.create(11, 768, new Shape(1, 16, 16), 4, 0.05);
        NetworkSpec ae = WaeArchitecture.autoencoder(new Shape(1, 16, 16), WaeArchitectureOptions.paper());
        TrainSettings s = TrainSettings.builder().epochs(4).batchSize(32).learningRate(0.003).seed(3)
                .optimizer(TrainSettings.OptimizerKind.ADAM).weightDecay(0).build();
        try (Network init = Network.random(ae, 4, 3);
                Network trained = new NetworkTrainer(null).train("stage1", init, data, WaeLoss.autoencoder(1.0), s,
                        n -> true).network();
                NDManager m = NDManager.newBaseManager(); BuiltNetwork b = trained.build(m)) {
            ArrayImageDataset test = SyntheticImages.create(12, 64, new Shape(1, 16, 16), 4, 0.05);
            int[] idx = new int[64];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = i;
            }
            NDArray x = test.batch(m, idx).get(0);
            NDList out = b.forward(new NDList(x), false);
            double eL = out.get(1).square().mean().getFloat();
            double eH = out.get(2).square().mean().getFloat();
            double p = psnr(x.toFloatArray(), out.get(0).toFloatArray());
            System.out.printf("stage 1: energy I_L %.4f, I_H %.5f (ratio %.4f), PSNR %.1f dB%n", eL, eH, eH / eL, p);
            assertTrue(eH < 0.1 * eL, "I_H energy " + eH + " vs I_L " + eL);
            assertTrue(p > 20, "PSNR " + p);
        }
    }

    @Test
    void strategiesRunEndToEndOnATinyBackbone() throws Exception {
        ArrayImageDataset data = SyntheticImages.create(5, 128, new Shape(1, 16, 16), 4, 0.1);
        NetworkSpec backbone = Backbones.create("resnet20", new Shape(1, 16, 16), 4, 0.25);
        StrategyRegistry reg = StrategyRegistry.discover();
        try (Network base = Network.random(backbone, 4, 1)) {
            for (String id : new String[] {"wae", "decomposition", "wavelet", "resize"}) {
                try (Network out = reg.get(id).compress(base, ctx(id, Map.of("stage1.epochs", "1"), data, 1, dir))) {
                    assertEquals(new Shape(4), out.spec().outputShape(), id);
                    assertTrue(out.weights().keySet().stream().noneMatch(k -> k.startsWith("decoder.")), id);
                }
            }
            for (String f : new String[] {"wae.png", "decomposition.png", "wae_vs_decomposition.png"}) {
                assertTrue(Files.size(dir.resolve("channels").resolve(f)) > 1000, f);
            }
            CompressionContext c = ctx("wae", Map.of("highBranch", "false", "stage1.epochs", "1"), data, 1);
            WaeSettings s = WaeSettings.from(c);
            try (Network il = reg.get("wae").compress(base, c);
                    Network ae0 = Network.random(WaeArchitecture.autoencoder(base.inputShape(), s.options()), 4, 7);
                    Network ae = new NetworkTrainer(null).train("stage 1", ae0, data,
                            WaeLoss.autoencoder(s.lambda(), s.lossScale()), s.stage1(), n -> true).network()) {
                assertTrue(il.spec().name().endsWith("-il-only"), il.spec().name());
                // Table 3's ablation: the encoder is WAE's stage-1 encoder (energy loss on I_H), kept frozen
                List<String> enc = il.weights().keySet().stream().filter(WaeTraining::isEncoder).toList();
                assertTrue(enc.stream().anyMatch(k -> k.startsWith("split.")), enc.toString());
                assertFalse(enc.isEmpty());
                for (String k : enc) {
                    assertArrayEquals(ae.weight(k).toFloatArray(), il.weight(k).toFloatArray(), k);
                }
            }
        }
    }

    @Test
    void encoderRateFactorZeroKeepsTheStageOneEncoderThroughStageThree() {
        ArrayImageDataset data = SyntheticImages.create(5, 96, new Shape(1, 16, 16), 4, 0.1);
        NetworkSpec backbone = Backbones.create("resnet20", new Shape(1, 16, 16), 4, 0.25);
        Map<String, Object> kept = Map.of("stage1.epochs", "1", "stage3.encoderRateFactor", "0");
        Map<String, Object> moved = Map.of("stage1.epochs", "1");
        CompressionContext c = ctx("wae", kept, data, 2);
        WaeSettings s = WaeSettings.from(c);
        assertEquals(0.0, s.stage3EncoderRateFactor());
        assertEquals(1.0, WaeSettings.from(ctx("wae", moved, data, 2)).stage3EncoderRateFactor());
        StrategyRegistry reg = StrategyRegistry.discover();
        try (Network base = Network.random(backbone, 4, 1);
                Network ae0 = Network.random(WaeArchitecture.autoencoder(base.inputShape(), s.options()), 4,
                        c.seed());
                Network ae = c.trainer().train("stage 1 alone", ae0, data, WaeLoss.autoencoder(s.lambda()),
                        s.stage1(), n -> true).network();
                Network frozen = reg.get("wae").compress(base, c);
                Network free = reg.get("wae").compress(base, ctx("wae", moved, data, 2))) {
            int compared = 0;
            for (String k : ae.weights().keySet()) {
                if (WaeTraining.isEncoder(k)) {
                    NDArray stage1 = ae.weight(k);
                    assertEquals(0f, frozen.weight(k).sub(stage1).abs().max().getFloat(), 0f, k);
                    compared++;
                }
            }
            assertTrue(compared >= 4, "compared " + compared + " encoder tensors");
            String probe = "encoder.conv1.weight";
            float drift = free.weight(probe).sub(ae.weight(probe)).abs().max().getFloat();
            assertTrue(drift > 0, "at factor 1 stage 3 must move the encoder");
        }
    }

    @Test
    void fusionStartZeroesOnlyTheFusionOutputSoTheScoreIsTheLowBranchs() {
        NetworkSpec backbone = Backbones.create("vgg16-bn-small", new Shape(1, 32, 32), 10, 0.25);
        NetworkSpec full = WaeArchitecture.classifier(backbone, WaeArchitectureOptions.paper(),
                WaeArchitecture.SplitKind.LEARNED,
                false);
        NetworkSpec lowOnly = WaeArchitecture.classifier(backbone,
                new WaeArchitectureOptions(16, true, 0.25, false, -1, -1, 16), WaeArchitecture.SplitKind.LEARNED,
                        false);
        try (NDManager m = NDManager.newBaseManager(); Network n0 = Network.random(full, 10, 3);
                // every bias non-zero, so zeroing the output layer's bias is visible
                Network n = Network.of(full, 10, withBiases(n0.weights(), m), "test");
                Network z = WaeTraining.fusionStart(n, true); Network same = WaeTraining.fusionStart(n, false);
                Network il0 = Network.random(lowOnly, 10, 4);
                Network il = WeightTransfer.assemble(lowOnly, il0, new WeightTransfer.Source(n, k -> k))) {
            List<String> zeroed = new ArrayList<>();
            for (Map.Entry<String, NDArray> e : n.weights().entrySet()) {
                NDArray after = z.weights().get(e.getKey());
                if (after.abs().sum().getFloat() == 0 && e.getValue().abs().sum().getFloat() > 0) {
                    zeroed.add(e.getKey());
                } else {
                    assertTrue(after.contentEquals(e.getValue()), e.getKey());
                }
                assertTrue(same.weights().get(e.getKey()).contentEquals(e.getValue()), e.getKey());
            }
            assertEquals(2, zeroed.size(), "the output layer's weight and bias: " + zeroed);
            String layer = zeroed.get(0).substring(0, zeroed.get(0).length() - "weight".length());
            assertEquals(List.of(layer + "weight", layer + "bias"), zeroed);
            assertTrue(layer.startsWith("fusionHead."), layer);
            NDArray x = m.randomUniform(0f, 1f, new Shape(2, 1, 32, 32));
            try (BuiltNetwork bz = z.build(m); BuiltNetwork bl = il.build(m); BuiltNetwork bn = n.build(m)) {
                NDArray yz = bz.predict(x);
                assertTrue(yz.sub(bl.predict(x)).abs().max().getFloat() < 1e-5, "score = low branch's");
                assertTrue(yz.sub(bn.predict(x)).abs().max().getFloat() > 1e-3, "the fusion head did contribute");
            }
        }
    }

    private static Map<String, NDArray> withBiases(Map<String, NDArray> weights, NDManager m) {
        Map<String, NDArray> w = new LinkedHashMap<>(weights);
        w.replaceAll((k, v) -> k.endsWith(".bias") ? m.full(v.getShape(), 0.1f) : v);
        return w;
    }

    @Test
    void pluginIsDiscoveredById() {
        StrategyRegistry reg = StrategyRegistry.discover();
        for (String id : new String[] {"wae", "decomposition", "wavelet", "resize"}) {
            assertEquals(id, reg.get(id).id());
        }
    }

    @Test
    void badSettingsNameTheKey() {
        ArrayImageDataset data = SyntheticImages.create(5, 8, new Shape(1, 16, 16), 4, 0.1);
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> WaeSettings.from(ctx("wae", Map.of("lambda", "-1"), data, 1)));
        assertEquals("strategy.wae.lambda = -1: must be a number >= 0", e.getMessage());
        e = assertThrows(InvalidSettingException.class,
                () -> WaeSettings.from(ctx("wae", Map.of("stage2.epochs", "0"), data, 1)));
        assertEquals("strategy.wae.stage2.epochs = 0: must be an integer >= 1", e.getMessage());
        e = assertThrows(InvalidSettingException.class,
                () -> WaeSettings.from(ctx("wae", Map.of("highWidth", "lots"), data, 1)));
        assertEquals("strategy.wae.highWidth = lots: must be a number in (0, 1]", e.getMessage());
        e = assertThrows(InvalidSettingException.class,
                () -> WaeSettings.from(ctx("wae", Map.of("stage3.encoderRateFactor", "-0.5"), data, 1)));
        assertTrue(e.getMessage().startsWith(
                "strategy.wae.stage3.encoderRateFactor = -0.5: must be a number in [0, 1]"),
                e.getMessage());
    }
}

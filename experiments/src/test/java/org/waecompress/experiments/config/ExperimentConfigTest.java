package org.waecompress.experiments.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.plugin.StrategyRegistry;
import org.waecompress.spi.setting.Setting;
import org.waecompress.spi.train.Augmentation;

class ExperimentConfigTest {

    @TempDir
    Path dir;

    /** A strategy "wae" that declares two settings. */
    static final StrategyRegistry STRATEGIES = StrategyRegistry.of(new CompressionStrategy() {
        @Override
        public String id() {
            return "wae";
        }

        @Override
        public String description() {
            return "test";
        }

        @Override
        public List<Setting<?>> settings() {
            return List.of(Setting.real("lambda", 0.1, "energy weight").atLeast(0),
                    Setting.real("gamma", 0.001, "auto-encoder weight").atLeast(0));
        }

        @Override
        public Network compress(Network trained, CompressionContext ctx) {
            throw new UnsupportedOperationException();
        }
    });

    @Test
    void layersTakePrecedenceInOrder() throws Exception {
        Path file = dir.resolve("my.properties");
        Files.writeString(file, "latency.runs = 11\nlatency.warmup = 2\ntrain.epochs = 7\nfinetune.epochs = 9\n");
        Properties sys = new Properties();
        sys.setProperty("waec.latency.runs", "12");
        sys.setProperty("waec.latency.warmup", "3");
        sys.setProperty("unrelated.key", "x");
        ExperimentConfig c = ExperimentConfig.load(Map.of("latency.runs", "13"), file, "quick", sys, STRATEGIES);
        assertEquals("13", c.get("latency.runs"));
        assertEquals("--set", c.sources().get("latency.runs"));
        assertEquals("3", c.get("latency.warmup"));
        assertEquals("system property", c.sources().get("latency.warmup"));
        assertEquals("7", c.get("train.epochs"));
        assertEquals("--config " + file, c.sources().get("train.epochs"));
        assertEquals("0.25", c.get("backbone.width"));
        assertEquals("preset quick", c.sources().get("backbone.width"));
        assertEquals("16", c.get("latency.throughputBatch"));
        assertEquals("defaults", c.sources().get("latency.throughputBatch"));
    }

    @Test
    void presetKeysOfStrategiesNotInstalledAreSkipped() {
        ExperimentConfig c = ExperimentConfig.load(Map.of(), null, "quick", new Properties(), STRATEGIES);
        assertTrue(c.values().keySet().stream().noneMatch(k -> k.startsWith("strategy.thinet")));
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> ExperimentConfig.load(
                Map.of("strategy.thinet.ratio", "0.3"), null, "quick", new Properties(), STRATEGIES));
        assertTrue(e.getMessage().contains("no installed strategy 'thinet'"), e.getMessage());
    }

    @Test
    void aVariantInheritsItsBasesKeysButNotTheOnesItsDefinitionSets() {
        Map<String, String> plan = Map.of("variant.wae-lo.base", "wae", "variant.wae-lo.lambda", "0.5",
                "strategy.wae.gamma", "0.2", "strategy.wae.lambda", "0.3");
        ExperimentConfig c = ExperimentConfig.load(plan, null, null, new Properties(), STRATEGIES);
        assertEquals("0.2", c.strategy("wae-lo").getString("gamma"), "the base's key reaches the variant");
        assertEquals(null, c.strategy("wae-lo").getString("lambda"), "the definition's 0.5 wins over the base's key");
        assertEquals("strategy.wae.gamma", c.keyOf("wae-lo", "gamma"));
        assertEquals(null, c.keyOf("wae-lo", "lambda"));
        assertEquals("0.3", c.strategy("wae").getString("lambda"));
        Map<String, String> own = new java.util.HashMap<>(plan);
        own.put("strategy.wae-lo.gamma", "0.4");
        ExperimentConfig o = ExperimentConfig.load(own, null, null, new Properties(), STRATEGIES);
        assertEquals("0.4", o.strategy("wae-lo").getString("gamma"), "the variant's own key wins");
        assertEquals("strategy.wae-lo.gamma", o.keyOf("wae-lo", "gamma"));
    }

    @Test
    void snapshotDoesNotFollowLaterChanges() {
        Properties sys = new Properties();
        sys.setProperty("waec.latency.runs", "12");
        ExperimentConfig c = ExperimentConfig.load(Map.of(), null, null, sys, STRATEGIES);
        sys.setProperty("waec.latency.runs", "99");
        assertEquals("12", c.get("latency.runs"));
    }

    @Test
    void yamlFilesAreRead() throws Exception {
        Path file = dir.resolve("plan.yaml");
        Files.writeString(file, "backbone:\n  name: resnet20\nstrategy:\n  wae:\n    lambda: 0.5\n");
        ExperimentConfig c = ExperimentConfig.load(Map.of(), file, null, new Properties(), STRATEGIES);
        assertEquals("resnet20", c.get("backbone.name"));
        assertEquals("0.5", c.strategy("wae").getString("lambda"));
    }

    @Test
    void misspeltKeyNamesTheNearestKnownKey() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> ExperimentConfig.load(
                Map.of("backbone.nmae", "vgg16"), null, null, new Properties(), STRATEGIES));
        assertEquals("backbone.nmae = vgg16: unknown key (from --set); did you mean 'backbone.name'?", e.getMessage());
        e = assertThrows(InvalidSettingException.class, () -> ExperimentConfig.load(
                Map.of("strategy.wae.lamda", "1"), null, null, new Properties(), STRATEGIES));
        assertTrue(e.getMessage().contains("did you mean 'strategy.wae.lambda'"), e.getMessage());
        e = assertThrows(InvalidSettingException.class, () -> ExperimentConfig.load(
                Map.of("strategy.thinet.ratio", "1"), null, null, new Properties(), STRATEGIES));
        assertTrue(e.getMessage().contains("no installed strategy 'thinet'; installed: wae"), e.getMessage());
    }

    @Test
    void wrongTypeOrRangeNamesKeyValueAndAllowed() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> ExperimentConfig.load(
                Map.of("latency.runs", "many"), null, null, new Properties(), STRATEGIES));
        assertEquals("latency.runs = many: must be an integer >= 1 (from --set)", e.getMessage());
        e = assertThrows(InvalidSettingException.class, () -> ExperimentConfig.load(
                Map.of("backbone.width", "0"), null, null, new Properties(), STRATEGIES));
        assertEquals("backbone.width = 0: must be a number in [0.01, 16] (from --set)", e.getMessage());
        e = assertThrows(InvalidSettingException.class, () -> ExperimentConfig.load(
                Map.of("data.kind", "cifar"), null, null, new Properties(), STRATEGIES));
        assertTrue(e.getMessage().startsWith("data.kind = cifar: must be one of fashion-mnist, synthetic, folder"));
    }

    @Test
    void augmentationReachesTheBackbonesAndTheStrategiesTraining() {
        ExperimentSettings plain = ExperimentSettings.from(ExperimentConfig.load(Map.of(), null, "quick",
                new Properties(), STRATEGIES));
        assertEquals(Augmentation.NONE, plain.train().augmentation());
        assertEquals(Augmentation.NONE, plain.finetune().augmentation());
        ExperimentSettings s = ExperimentSettings.from(ExperimentConfig.load(
                Map.of("data.augment.shift", "2", "data.augment.flip", "true"), null, "quick", new Properties(),
                STRATEGIES));
        assertEquals(new Augmentation(2, true), s.train().augmentation());
        assertEquals(new Augmentation(2, true), s.finetune().augmentation());
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> ExperimentConfig.load(
                Map.of("data.augment.shift", "-1"), null, null, new Properties(), STRATEGIES));
        assertEquals("data.augment.shift = -1: must be an integer in [0, 64] (from --set)", e.getMessage());
    }

    @Test
    void unknownPresetAndUnreadableFile() {
        BadInputException e = assertThrows(BadInputException.class, () -> ExperimentConfig.load(Map.of(), null,
                "fast", new Properties(), STRATEGIES));
        assertTrue(e.getMessage().startsWith("unknown preset 'fast'; known presets: paper, quick, speed, speed-quick"));
        e = assertThrows(BadInputException.class, () -> ExperimentConfig.load(Map.of(), dir.resolve("no.yaml"),
                null, new Properties(), STRATEGIES));
        assertTrue(e.getMessage().contains("file not found or not readable"));
    }

    @Test
    void everyDefaultKeyIsDeclared() {
        ExperimentConfig c = ExperimentConfig.load(Map.of(), null, null, new Properties(), STRATEGIES);
        assertEquals(HarnessSettings.all().keySet(), c.values().keySet());
    }

    @Test
    void aStackRunsEachStageWithItsOwnKeysAndHasNoneOfItsOwn() {
        ExperimentConfig c = ExperimentConfig.load(Map.of("strategies", "wae+wae", "strategy.wae.lambda", "0.5"), null,
                null, new Properties(), STRATEGIES);
        assertEquals("0.5", c.strategy("wae+wae").getString("wae.lambda"));
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> ExperimentConfig.load(
                Map.of("strategy.wae+wae.lambda", "0.5"), null, null, new Properties(), STRATEGIES));
        assertTrue(e.getMessage().contains("a stack has no settings of its own"), e.getMessage());
    }
}

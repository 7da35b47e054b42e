package org.waecompress.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.apache.commons.configuration2.MapConfiguration;
import org.junit.jupiter.api.Test;
import org.waecompress.spi.setting.Setting;
import org.waecompress.spi.train.NetworkTrainer;
import org.waecompress.spi.train.TrainSettings;

class CompressionContextTest {

    private static CompressionContext ctx(Map<String, Object> settings) {
        return new CompressionContext("x", new MapConfiguration(settings), 1, null, new NetworkTrainer(null),
                TrainSettings.builder().epochs(1).learningRate(0.05).build(), null, null);
    }

    private static final Setting<Double> FACTOR = CompressionContext.fineTuneRateFactor(0.1, "test");

    @Test
    void theFineTuneRateIsTheRunsTimesTheStrategysFactor() {
        assertEquals(0.005, ctx(Map.of()).fineTuneRate(FACTOR), 1e-12, "the paper's default factor");
        assertEquals(0.025, ctx(Map.of("fineTuneRateFactor", "0.5")).fineTuneRate(FACTOR), 1e-12, "the user's");
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> ctx(Map.of("fineTuneRateFactor", "0")).fineTuneRate(FACTOR));
        assertEquals("strategy.x.fineTuneRateFactor = 0: must be a number in (0, 10]", e.getMessage());
    }

    @Test
    void aSettingIsReadFromTheContextOrItsDefault() {
        Setting<Integer> steps = Setting.integer("steps", 5, "steps").atLeast(0);
        Setting<Integer> epochs = Setting.integer("epochs", "the run's", "epochs").atLeast(1);
        assertEquals(5, ctx(Map.of()).get(steps));
        assertEquals(7, ctx(Map.of("steps", " 7 ")).get(steps));
        assertEquals(3, ctx(Map.of()).get(epochs, 3), "a run-dependent default comes from the caller");
        assertEquals(2, ctx(Map.of("epochs", "2")).get(epochs, 3));
        assertThrows(IllegalStateException.class, () -> ctx(Map.of()).get(epochs),
                "a run-dependent default cannot be read without the run's value");
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> ctx(Map.of("steps", "-1")).get(steps));
        assertEquals("strategy.x.steps = -1: must be an integer >= 0", e.getMessage());
    }
}

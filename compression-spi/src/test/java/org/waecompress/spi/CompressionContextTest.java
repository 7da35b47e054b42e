package org.waecompress.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.apache.commons.configuration2.MapConfiguration;
import org.junit.jupiter.api.Test;
import org.waecompress.spi.train.NetworkTrainer;
import org.waecompress.spi.train.TrainSettings;

class CompressionContextTest {

    private static CompressionContext ctx(Map<String, Object> settings) {
        return new CompressionContext("x", new MapConfiguration(settings), 1, null, new NetworkTrainer(null),
                TrainSettings.builder().epochs(1).learningRate(0.05).build(), null, null);
    }

    @Test
    void theFineTuneRateIsTheRunsTimesTheStrategysFactor() {
        assertEquals(0.005, ctx(Map.of()).fineTuneRate(0.1), 1e-12, "the paper's default factor");
        assertEquals(0.025, ctx(Map.of("fineTuneRateFactor", "0.5")).fineTuneRate(0.1), 1e-12, "the user's");
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> ctx(Map.of("fineTuneRateFactor", "0")).fineTuneRate(0.1));
        assertEquals("strategy.x.fineTuneRateFactor = 0.0: must be in (0, 10]", e.getMessage());
    }
}

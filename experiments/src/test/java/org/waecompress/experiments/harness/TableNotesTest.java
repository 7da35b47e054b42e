package org.waecompress.experiments.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.waecompress.experiments.config.ExperimentConfig;
import org.waecompress.experiments.config.ExperimentSettings;

class TableNotesTest {

    private static List<String> notes(Map<String, String> set) {
        ExperimentSettings s = ExperimentSettings.from(ExperimentConfig.load(set, null, "quick", new Properties(),
                org.waecompress.spi.plugin.StrategyRegistry.of()));
        return TableNotes.meta(s, "test data", new Shape(1, 32, 32), null).notes();
    }

    @Test
    void theTableSaysWhenTrainingWasAugmented() {
        assertTrue(notes(Map.of()).stream().noneMatch(n -> n.contains("augmented")), notes(Map.of()).toString());
        List<String> on = notes(Map.of("data.augment.shift", "2", "data.augment.flip", "true"));
        assertEquals(1, on.stream().filter(n -> n.equals("Training batches (backbone and every strategy) are "
                + "augmented: shift 2 px + flip; evaluation is not.")).count(), on.toString());
    }

    @Test
    void devicesAreStatedWhenTheRunIsNotOnTheCpuAlone() {
        ExperimentSettings s = ExperimentSettings.from(ExperimentConfig.load(Map.of(), null, "quick",
                new Properties(), org.waecompress.spi.plugin.StrategyRegistry.of()));
        assertEquals(null, TableNotes.deviceNote(s, List.of(ai.djl.Device.cpu())));
        assertEquals("Device: training, evaluation and the PyTorch engine's latency on gpu(0).",
                TableNotes.deviceNote(s, List.of(ai.djl.Device.gpu(0))));
        String two = TableNotes.deviceNote(s, List.of(ai.djl.Device.gpu(0), ai.djl.Device.gpu(1)));
        assertTrue(two.startsWith("Devices: gpu(0), gpu(1). Training is data parallel: each batch (128 for the "
                + "strategies) is split into 2 shards"), two);
        assertTrue(two.contains("the step and the learning rate are those of one device"), two);
    }
}

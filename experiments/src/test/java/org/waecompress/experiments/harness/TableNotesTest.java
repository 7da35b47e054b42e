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
        return TableNotes.meta(s, "test data", new Shape(1, 32, 32)).notes();
    }

    @Test
    void theTableSaysWhenTrainingWasAugmented() {
        assertTrue(notes(Map.of()).stream().noneMatch(n -> n.contains("augmented")), notes(Map.of()).toString());
        List<String> on = notes(Map.of("data.augment.shift", "2", "data.augment.flip", "true"));
        assertEquals(1, on.stream().filter(n -> n.equals("Training batches (backbone and every strategy) are "
                + "augmented: shift 2 px + flip; evaluation is not.")).count(), on.toString());
    }
}

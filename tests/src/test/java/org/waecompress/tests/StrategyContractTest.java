package org.waecompress.tests;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.waecompress.experiments.testkit.StrategyContract;
import org.waecompress.spi.plugin.StrategyRegistry;

/** The plugin kit's contract, run against every shipped strategy and variant. */
@Tag("slow")
class StrategyContractTest {

    /** Small budgets per strategy family, so each compresses in seconds. */
    private static Map<String, String> quick(String id) {
        if (id.startsWith("thinet")) {
            return Map.of("layerFineTuneSteps", "1", "fineTuneEpochs", "1", "imagesPerClass", "2");
        }
        if (id.startsWith("taylor")) {
            return Map.of("batches", "1", "stepFineTuneSteps", "1", "channelsPerStep", "16", "fineTuneEpochs", "1");
        }
        if (id.equals("wae")) {
            return Map.of("stage1.epochs", "1");
        }
        if (id.equals("lowrank")) {
            return Map.of("calibrationImages", "16");
        }
        if (id.equals("int8")) {
            return Map.of("calibrationImages", "32");
        }
        return Map.of();
    }

    @TestFactory
    Stream<DynamicContainer> everyShippedStrategyKeepsTheContract() {
        StrategyRegistry shipped = DocsTest.shipped();
        return shipped.ids().stream().map(id -> DynamicContainer.dynamicContainer(id,
                StrategyContract.checks(shipped.get(id), quick(id),
                        // Taylor's architecture is a preset's; int8's has the scales of a random network's
                        !id.startsWith("taylor") && !id.equals("int8"))));
    }
}

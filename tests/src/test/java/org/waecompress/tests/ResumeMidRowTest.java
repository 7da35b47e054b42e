package org.waecompress.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.experiments.config.ExperimentConfig;
import org.waecompress.experiments.config.ExperimentSettings;
import org.waecompress.experiments.harness.ExperimentRunner;
import org.waecompress.experiments.harness.ResultStore;
import org.waecompress.experiments.result.ResultRow;
import org.waecompress.spi.plugin.StrategyRegistry;
import org.waecompress.spi.train.ProgressEvent;
import org.waecompress.spi.train.ProgressListener;

/**
 * A run stopped in the middle of WAE's third training stage continues from its per-epoch checkpoints and
 * ends with the network an uninterrupted run trains.
 */
class ResumeMidRowTest {

    private static final String STOP_AFTER = "wae stage 3 (joint) epoch 1/2:";

    @TempDir
    Path dir;

    @Test
    void aRowStoppedMidTrainingResumesFromItsLastEpoch() throws Exception {
        StrategyRegistry registry = StrategyRegistry.discover();
        Map<String, String> sets = new LinkedHashMap<>();
        sets.put("experiment.name", "mid-row");
        sets.put("backbone.name", "resnet20");
        sets.put("backbone.width", "0.25");
        sets.put("data.kind", "synthetic");
        sets.put("data.synthetic.size", "16");
        sets.put("data.synthetic.channels", "1");
        sets.put("data.synthetic.classes", "4");
        sets.put("data.trainSize", "96");
        sets.put("data.testSize", "32");
        sets.put("train.epochs", "1");
        sets.put("train.batchSize", "32");
        sets.put("finetune.epochs", "4");
        sets.put("finetune.batchSize", "32");
        sets.put("latency.warmup", "0");
        sets.put("latency.runs", "1");
        sets.put("latency.throughputBatch", "2");
        sets.put("strategy.wae.stage1.epochs", "1");
        sets.put("strategies", "wae");
        sets.put("output.keepNetworks", "true");
        sets.put("output.checkpointSeconds", "0");
        ExperimentConfig config = ExperimentConfig.load(sets, null, null, new Properties(), registry);
        ExperimentSettings s = ExperimentSettings.from(config);

        Path straight = dir.resolve("straight");
        new ExperimentRunner(null).run(config, s, straight, false, List.of("straight"));
        assertFalse(Files.exists(straight.resolve("checkpoints")), "checkpoints left after a finished run");
        // a kill between storing a row and removing its checkpoints leaves them; the next resume removes them
        Files.createDirectories(straight.resolve("checkpoints").resolve("wae"));
        Files.writeString(straight.resolve("checkpoints").resolve("wae").resolve("stale.ckpt"), "left by a kill");
        new ExperimentRunner(null).run(config, s, straight, true, List.of("straight again"));
        assertFalse(Files.exists(straight.resolve("checkpoints")), "a stored row's checkpoints survived a resume");

        Path stopped = dir.resolve("stopped");
        ExperimentRunner stopping = new ExperimentRunner(new ProgressListener() {
            @Override
            public void progress(ProgressEvent event) {}

            @Override
            public void message(String text) {
                if (text.startsWith(STOP_AFTER)) {
                    throw new IllegalStateException("stopped");
                }
            }
        });
        assertThrows(IllegalStateException.class, () -> stopping.run(config, s, stopped, false, List.of("first")));
        try (Stream<Path> files = Files.list(stopped.resolve("checkpoints").resolve("wae"))) {
            assertEquals(3, files.filter(p -> p.toString().endsWith(".ckpt")).count(), "one per WAE stage");
        }
        assertFalse(Files.exists(stopped.resolve("checkpoints").resolve("backbone")), "the stored backbone's");

        new ExperimentRunner(null).run(config, s, stopped, true, List.of("again"));
        String log = Files.readString(stopped.resolve("log.txt"));
        String resumed = log.substring(log.indexOf(" resumed: again"));
        assertTrue(resumed.contains("wae stage 1 (auto-encoder): its 1 epoch restored from "), resumed);
        assertTrue(resumed.contains("wae stage 2 (classifiers, encoder frozen): all 2 epochs restored from "),
                resumed);
        assertTrue(resumed.contains("wae stage 3 (joint): resuming at epoch 2/2 from "), resumed);
        assertFalse(resumed.contains("epoch 1/2:"), resumed);
        assertFalse(Files.exists(stopped.resolve("checkpoints")), "checkpoints left after the resumed run");

        assertArrayEquals(Files.readAllBytes(straight.resolve("networks/wae.params")),
                Files.readAllBytes(stopped.resolve("networks/wae.params")));
        ResultRow a = row(straight);
        ResultRow b = row(stopped);
        assertEquals(a.top1Error(), b.top1Error());
    }

    private static ResultRow row(Path run) {
        return new ResultStore(run).read().stream().filter(r -> r.id().equals("wae")).findFirst().orElseThrow();
    }
}

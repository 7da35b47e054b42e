package org.waecompress.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.experiments.cli.CliRun;
import org.waecompress.experiments.harness.ResultStore;
import org.waecompress.experiments.result.ResultRow;

/**
 * {@code experiment.then}: a second plan runs after the first in a subfolder, as the main job runs
 * the 224 speed table after its accuracy table, taking the strategies and latency settings the user
 * gave and nothing else.
 */
class FollowUpPlanTest {

    @TempDir
    Path dir;

    Path plan(String name, String... lines) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, String.join("\n", lines) + "\n");
        return f;
    }

    @Test
    void theSecondPlanRunsInASubfolderWithTheInheritedKeysOnly() throws Exception {
        Path speed = plan("tiny-speed.properties", "experiment.name = tiny-speed", "backbone.name = vgg16-bn-small",
                "backbone.width = 0.5", "data.kind = synthetic", "data.synthetic.size = 16", "accuracy.enabled = false",
                "train.epochs = 0", "latency.warmup = 1", "latency.runs = 3", "strategies = all",
                        "output.onnx = false");
        Path first = plan("tiny.properties", "experiment.name = tiny", "backbone.name = resnet20",
                "backbone.width = 0.25", "data.kind = synthetic", "data.synthetic.size = 16", "data.trainSize = 64",
                "data.testSize = 32", "train.epochs = 1", "finetune.epochs = 1", "latency.warmup = 1",
                "latency.runs = 3", "experiment.then = " + speed);
        Path out = dir.resolve("run");
        CliRun.Result r = CliRun.run("run", "--config", first.toString(), "--set", "strategies=resize,halfwidth",
                "--set", "latency.engine=both", "--set", "backbone.width=0.125", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("**tiny: resnet20 (width 0.125)**"), r.out());
        assertTrue(r.out().contains("**tiny-speed: vgg16-bn-small (width 0.5)**"), "own width: " + r.out());
        Path second = out.resolve("tiny-speed");
        List<ResultRow> rows = new ResultStore(second).read();
        assertEquals(List.of("backbone", "resize", "halfwidth"), rows.stream().map(ResultRow::id).toList());
        assertEquals(2, rows.get(1).timings().engines().size(), "latency.engine is inherited");
        String prov = Files.readString(second.resolve("provenance.json"));
        assertTrue(prov.contains("\"source\": \"inherited from the plan before\""), prov);
        assertFalse(Files.exists(second.resolve("networks/resize.onnx")), "its own output.onnx = false");
    }

    @Test
    void aFollowUpPlanThatCannotLoadIsRefusedBeforeTheFirstRuns() throws Exception {
        Path first = plan("first.properties", "data.kind = synthetic", "experiment.then = " + dir.resolve("nope.yaml"));
        Path out = dir.resolve("never");
        CliRun.Result r = CliRun.run("run", "--config", first.toString(), "--out", out.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("nope.yaml"), r.err());
        assertFalse(Files.exists(out.resolve("results.jsonl")));
    }
}

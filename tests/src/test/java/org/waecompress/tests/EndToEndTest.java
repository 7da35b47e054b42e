package org.waecompress.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.experiments.cli.CliRun;
import org.waecompress.experiments.harness.ResultStore;
import org.waecompress.experiments.result.ResultRow;

/** A whole run on tiny synthetic data, through the command line, as a user would start it. */
class EndToEndTest {

    @TempDir
    Path dir;

    Path plan() throws Exception {
        Path f = dir.resolve("tiny.properties");
        Files.writeString(f, String.join("\n",
                "experiment.name = tiny",
                "backbone.name = resnet20",
                "backbone.width = 0.25",
                "data.kind = synthetic",
                "data.synthetic.size = 16",
                "data.synthetic.channels = 1",
                "data.synthetic.classes = 4",
                "data.trainSize = 192",
                "data.testSize = 64",
                "train.epochs = 1",
                "train.batchSize = 32",
                "finetune.epochs = 1",
                "finetune.batchSize = 32",
                "latency.warmup = 1",
                "latency.runs = 3",
                "latency.throughputBatch = 4",
                "strategy.wae.stage1.epochs = 1",
                "strategy.thinet.imagesPerClass = 2",
                "strategy.thinet.layerFineTuneSteps = 1",
                "strategy.thinet-gap.imagesPerClass = 2",
                "strategy.thinet-gap.layerFineTuneSteps = 1",
                "strategy.thinet-tiny.imagesPerClass = 2",
                "strategy.thinet-tiny.layerFineTuneSteps = 1",
                "strategy.thinet-conv.imagesPerClass = 2",
                "strategy.thinet-conv.layerFineTuneSteps = 1",
                "strategy.thinet-70.imagesPerClass = 2",
                "strategy.thinet-70.layerFineTuneSteps = 1",
                "strategy.thinet-30.imagesPerClass = 2",
                "strategy.thinet-30.layerFineTuneSteps = 1",
                "strategy.taylor-1.batches = 1",
                "strategy.taylor-1.stepFineTuneSteps = 1",
                "strategy.taylor-2.batches = 1",
                "strategy.taylor-2.stepFineTuneSteps = 1",
                "strategy.taylor-2.channelsPerStep = 8",
                "strategies = all", ""));
        return f;
    }

    @Test
    void runProducesEveryOutputAndResumes() throws Exception {
        Path out = dir.resolve("run");
        CliRun.Result r = CliRun.run("run", "--config", plan().toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("results.jsonl", "table.md", "table.tex", "table.csv", "table.json",
                "provenance.json", "plots/accuracy_vs_speedup.png", "plots/macs_vs_error.png",
                "channels/wae.png", "channels/decomposition.png", "channels/wae_vs_decomposition.png",
                "networks/backbone.spec.json", "networks/backbone.params")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        List<String> ids = new ResultStore(out).read().stream().map(ResultRow::id).toList();
        assertEquals(List.of("backbone", "decomposition", "halfwidth", "int8", "lowrank", "opaque", "resize",
                "taylor-1", "taylor-2", "thinet", "thinet-30", "thinet-70", "thinet-conv", "thinet-gap", "thinet-tiny",
                "wae", "wavelet"), ids);
        // every trained network is exported and reproduces the PyTorch engine; the test plugin's cannot be,
        // and its row is timed on the PyTorch engine with a note
        for (ResultRow row : new ResultStore(out).read()) {
            if (row.id().equals("opaque")) {
                assertNull(row.onnx());
                assertTrue(row.timing().fallback().contains("node type 'testOpaque'"), row.toString());
                continue;
            }
            assertEquals("networks/" + row.id() + ".onnx", row.onnx().file(), row.id());
            assertTrue(row.onnx().worstRelative() <= 1e-4, row.toString());
            assertTrue(Files.size(out.resolve(row.onnx().file())) == row.onnx().bytes(), row.id());
            assertEquals("onnxruntime", row.timing().engine());
            assertNull(row.timing().fallback(), row.id());
        }
        String md = Files.readString(out.resolve("table.md"));
        assertTrue(md.contains("* opaque: timed on the PyTorch engine in the ORT columns, because node type "
                + "'testOpaque'"), md);
        assertTrue(md.lines().anyMatch(l -> l.startsWith("| opaque ") && l.contains("x* |")), md);
        assertTrue(r.out().contains("| halfwidth"), r.out());
        assertTrue(Files.readString(out.resolve("table.md")).contains("MACs of wae by part: encoder "), r.out());
        assertTrue(Files.readString(out.resolve("provenance.json")).contains("\"source\": \"--config"));
        String log = Files.readString(out.resolve("log.txt"));
        assertTrue(log.contains(" started: waec run --config "), log);
        assertTrue(log.contains("wae stage 3 (joint) epoch 1/"), log);
        assertTrue(log.contains(" rec=") && log.contains(" energyH="), log);

        // a run killed while writing its last row: cut the file mid-line, then resume
        Path results = out.resolve("results.jsonl");
        String text = Files.readString(results);
        int lastStart = text.lastIndexOf('\n', text.length() - 2) + 1;
        Files.writeString(results, text.substring(0, lastStart + 20));
        CliRun.Result again = CliRun.run("run", "--config", plan().toString(), "--out", out.toString(), "--resume");
        assertEquals(0, again.code(), again.err());
        List<String> after = new ResultStore(out).read().stream().map(ResultRow::id).toList();
        assertEquals(ids, after);
        String resumedLog = Files.readString(out.resolve("log.txt"));
        assertTrue(resumedLog.startsWith(log) && resumedLog.contains(" resumed: waec run --config "), resumedLog);

        CliRun.Result table = CliRun.run("table", out.toString(), "--format", "csv");
        assertEquals(0, table.code(), table.err());
        assertEquals(ids.size() + 1, table.out().lines().count(), table.out());

        // the run's trained backbone leaves the framework through `waec export RUN_FOLDER`
        Path onnx = dir.resolve("backbone.onnx");
        CliRun.Result export = CliRun.run("export", out.toString(), "--out", onnx.toString());
        assertEquals(0, export.code(), export.err());
        assertTrue(export.out().contains("saved weights") && export.out().contains("checked against the PyTorch"),
                export.out());
        assertEquals(2, CliRun.run("export", out.toString(), "--row", "wae", "--out", onnx.toString()).code(),
                "networks are kept only for the backbone unless output.keepNetworks is set");
    }

    @Test
    void thirdPartyStrategyIsListed() {
        CliRun.Result r = CliRun.run("strategies");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("halfwidth  The backbone at half width"), r.out());
        assertTrue(r.out().contains("strategy.halfwidth.factor = 0.5"), r.out());
        assertTrue(r.out().contains("strategy.wae.lambda = 0.1"), r.out());
    }

    @Test
    void badInputsExitWithTwoAndOneLine() throws Exception {
        for (String[] args : new String[][] {
            {"run", "--preset", "fastest"},
            {"run", "--config", plan().toString(), "--set", "strategies=wea", "--out", dir.resolve("a").toString()},
            {"run", "--config", dir.resolve("missing.yaml").toString()},
            {"run", "--preset", "quick", "--set", "data.dir=" + dir.resolve("no-data"), "--out",
                dir.resolve("b").toString()},
            {"run", "--config", plan().toString(), "--out", "/proc/version/run"},
            {"run", "--config", plan().toString(), "--set", "backbone.nmae=x"},
        }) {
            CliRun.Result r = CliRun.run(args);
            assertEquals(2, r.code(), String.join(" ", args) + " -> " + r.err());
            assertEquals(1, r.err().strip().lines().count(), String.join(" ", args) + " -> " + r.err());
        }
    }
}

package org.waecompress.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.backbones.SafeTensors;
import org.waecompress.experiments.cli.CliRun;
import org.waecompress.experiments.config.ExperimentConfig;
import org.waecompress.experiments.config.ExperimentSettings;
import org.waecompress.experiments.harness.ResultStore;
import org.waecompress.experiments.harness.RunLock;
import org.waecompress.experiments.result.ResultRow;
import org.waecompress.experiments.testkit.TinyPlan;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.plugin.StrategyRegistry;

/**
 * A run folder's rows are computed by the plan it describes: resumes with another plan are refused,
 * one writer at a time, the whole plan checked before anything trains, your own backbone loaded
 * instead of trained, and a diverging row recorded without stopping the others.
 */
class RunIntegrityTest {

    @TempDir
    Path tmp;

    /** A plan of a few seconds: resnet20 at width 0.25 on 16x16 synthetic images. */
    static List<String> tiny(Path out, String... more) {
        List<String> a = TinyPlan.args(out, "--set", "strategies=resize");
        a.addAll(List.of(more));
        return a;
    }

    static CliRun.Result waec(List<String> args) {
        return CliRun.run(args.toArray(String[]::new));
    }

    /** The one line a refused command prints: exit 2, no stack trace. */
    static String oneLine(CliRun.Result r) {
        assertEquals(2, r.code(), r.out() + r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "more than one line: " + err);
        assertFalse(err.contains("\tat "), err);
        assertTrue(err.startsWith("waec: "), err);
        return err;
    }

    @Test
    void aResumeThatChangesResultsIsRefusedAndOneThatDoesNotIsRecorded() throws Exception {
        Path out = tmp.resolve("x");
        assertEquals(0, waec(tiny(out)).code());
        String provenance = Files.readString(out.resolve("provenance.json"));
        String results = Files.readString(out.resolve("results.jsonl"));

        String err = oneLine(waec(tiny(out, "--resume", "--set", "experiment.seed=7")));
        assertTrue(err.contains("experiment.seed = 7") && err.contains("experiment.seed = 42"), err);
        err = oneLine(waec(tiny(out, "--resume", "--set", "strategy.resize.fineTuneEpochs=3")));
        assertTrue(err.startsWith("waec: strategy.resize.fineTuneEpochs = 3"), err);
        assertEquals(provenance, Files.readString(out.resolve("provenance.json")));
        assertEquals(results, Files.readString(out.resolve("results.jsonl")));

        // the name, the list of strategies and output options cannot change a row: recorded as a resume layer
        CliRun.Result r = waec(tiny(out, "--resume", "--set", "experiment.name=renamed", "--set",
                "strategies=resize,lowrank"));
        assertEquals(0, r.code(), r.err());
        JsonObject p = JsonParser.parseString(Files.readString(out.resolve("provenance.json"))).getAsJsonObject();
        assertEquals("tiny", p.getAsJsonObject("config").getAsJsonObject("experiment.name").get("value").getAsString());
        JsonObject layer = p.getAsJsonArray("resumes").get(0).getAsJsonObject();
        assertEquals("renamed", layer.getAsJsonObject("changed").getAsJsonObject("experiment.name").get("to")
                .getAsString());
        assertTrue(layer.get("commandLine").getAsString().contains("--resume"));
        assertEquals(List.of("backbone", "resize", "lowrank"),
                new ResultStore(out).read().stream().map(ResultRow::id).toList());
        // every row's fine-tuning rate is stated: the papers' tenth for low-rank, the run's rate for resize
        assertTrue(Files.readString(out.resolve("table.md")).contains("strategy.ID.fineTuneRateFactor; ThiNet, Taylor "
                + "and low-rank at their papers' 0.1x): resize 1.0x, lowrank 0.1x."), Files.readString(out.resolve(
                "table.md")));
        // written files are readable like the log: not left with a temporary file's owner-only mode
        assertEquals(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("log.txt"))),
                PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("table.md"))));
        assertEquals(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("log.txt"))),
                PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("provenance.json"))));
    }

    @Test
    void aSecondWriterIsRefusedNamingTheHolder() throws Exception {
        Path out = tmp.resolve("held");
        Files.createDirectories(out);
        try (RunLock held = RunLock.acquire(out, "waec run (the test's)")) {
            String err = oneLine(waec(tiny(out)));
            assertTrue(err.contains("is in use by this process (" + ProcessHandle.current().pid()), err);
            assertFalse(Files.exists(out.resolve("results.jsonl")));
        }
        // another process holds it; the operating system releases it when that process is killed
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(), out.toString())
                .redirectErrorStream(true).start();
        try {
            assertEquals("holding", new String(holder.getInputStream().readNBytes(7)));
            String err = oneLine(waec(tiny(out)));
            assertTrue(err.contains("is in use by process " + holder.pid()) && err.contains("lock-holder"), err);
        } finally {
            holder.destroyForcibly();
            holder.waitFor(30, TimeUnit.SECONDS);
        }
        assertEquals(0, waec(tiny(out)).code());
        assertEquals(2, new ResultStore(out).read().size());
    }

    /** Holds a run folder's lock until killed. */
    public static final class LockHolder {
        /**
         * Entry point.
         *
         * @param args the folder
         * @throws Exception never in practice
         */
        public static void main(String[] args) throws Exception {
            RunLock lock = RunLock.acquire(Path.of(args[0]), "lock-holder");
            System.out.print("holding");
            System.out.flush();
            Thread.sleep(600_000);
            lock.close();
        }
    }

    @Test
    void everySettingIsCheckedBeforeAnythingIsWritten() {
        Path out = tmp.resolve("never");
        String err = oneLine(waec(tiny(out, "--set", "strategies=thinet,resize", "--set",
                "strategy.thinet.ratio=1.5")));
        assertTrue(err.startsWith("waec: strategy.thinet.ratio = 1.5"), err);
        assertFalse(Files.exists(out));
        err = oneLine(waec(tiny(out, "--set", "strategies=resize,resize")));
        assertTrue(err.contains("names resize twice"), err);
        assertFalse(Files.exists(out));
        err = oneLine(waec(tiny(out, "--set", "strategies=resize", "--set", "strategy.resize.fineTuneEpochs=0")));
        assertTrue(err.startsWith("waec: strategy.resize.fineTuneEpochs = 0"), err);
        assertFalse(Files.exists(out));
        // a setting only the backbone makes wrong: a Taylor target no pruning of resnet20 reaches
        err = oneLine(waec(tiny(out, "--set", "strategies=resize,taylor-1", "--set",
                "strategy.taylor-1.targetSpeedup=1000")));
        assertTrue(err.startsWith("waec: strategy.taylor-1.targetSpeedup = 1000"), err);
        assertFalse(Files.exists(out), "left a folder behind");
        // a plugin's own setting (the test plugin's factor must be in (0, 1])
        err = oneLine(waec(tiny(out, "--set", "strategies=halfwidth", "--set", "strategy.halfwidth.factor=2")));
        assertTrue(err.startsWith("waec: strategy.halfwidth.factor = 2"), err);
        assertFalse(Files.exists(out));
    }

    @Test
    void anEmptyListGivesTheBackboneAlone() throws Exception {
        Path out = tmp.resolve("alone");
        CliRun.Result r = waec(tiny(out, "--set", "strategies="));
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("backbone"), new ResultStore(out).read().stream().map(ResultRow::id).toList());
    }

    @Test
    void yourOwnBackboneIsLoadedInsteadOfTrainedAndAnotherNetworksIsRefused() throws Exception {
        Path first = tmp.resolve("first");
        assertEquals(0, waec(tiny(first)).code());
        ResultRow trained = new ResultStore(first).read().get(0);
        Path saved = first.resolve("networks/backbone.spec.json");
        Path st = tmp.resolve("backbone.safetensors");
        try (Network n = Network.load(saved)) {
            SafeTensors.export(n, st);
        }
        for (Path weights : List.of(saved, st)) {
            Path out = tmp.resolve("from-" + weights.getFileName());
            CliRun.Result r = waec(tiny(out, "--set", "backbone.weights=" + weights, "--set", "train.epochs=0"));
            assertEquals(0, r.code(), r.err());
            ResultRow loaded = new ResultStore(out).read().get(0);
            assertEquals(trained.top1Error(), loaded.top1Error(), "the loaded backbone is the trained one");
            JsonObject p = JsonParser.parseString(Files.readString(out.resolve("provenance.json"))).getAsJsonObject();
            assertEquals(64, p.getAsJsonObject("backboneWeights").get("sha256").getAsString().length());
            assertTrue(Files.readString(out.resolve("table.md")).contains("Backbone loaded from "
                    + weights.getFileName()), Files.readString(out.resolve("table.md")));
        }
        // the same file for a wider network: one line naming the first tensor that does not fit
        Path out = tmp.resolve("wider");
        String err = oneLine(waec(tiny(out, "--set", "backbone.weights=" + st, "--set", "backbone.width=0.5")));
        assertTrue(err.contains(st.toString()) && err.contains("has shape"), err);
        assertFalse(Files.exists(out), "left a folder behind");
        err = oneLine(waec(tiny(out, "--set", "backbone.weights=" + saved, "--set", "backbone.width=0.5")));
        assertTrue(err.contains(saved + ": holds the network 'resnet20-w0.25'"), err);
        assertFalse(Files.exists(out), "left a folder behind");
        err = oneLine(waec(tiny(out, "--set", "backbone.weights=" + tmp.resolve("nope.safetensors"))));
        assertTrue(err.startsWith("waec: backbone.weights = "), err);
        assertFalse(Files.exists(out));
    }

    @Test
    void aDivergingRowIsRecordedAndTheOthersRun() throws Exception {
        Path out = tmp.resolve("diverge");
        // WAE's joint stage at a fine-tune rate of 10 (resize trains at a tenth of it and does not diverge)
        CliRun.Result r = waec(tiny(out, "--set", "strategies=wae,resize", "--set", "finetune.learningRate=10",
                "--set", "finetune.epochs=3"));
        assertEquals(0, r.code(), r.err());
        List<ResultRow> rows = new ResultStore(out).read();
        assertEquals(List.of("backbone", "wae", "resize"), rows.stream().map(ResultRow::id).toList());
        ResultRow failed = rows.stream().filter(ResultRow::failed).findFirst().orElse(null);
        assertNotNull(failed, "no row diverged at learning rate 10");
        assertEquals("wae", failed.id());
        assertTrue(rows.get(2).top1Error() != null && !rows.get(2).failed(), "the row after it did not run");
        assertTrue(failed.failure().contains("loss became"), failed.failure());
        String md = Files.readString(out.resolve("table.md"));
        assertTrue(md.contains(failed.label() + " (failed)") && md.contains("Failed: " + failed.label()), md);
        assertTrue(Files.readString(out.resolve("log.txt")).contains(failed.id() + ": failed: "));
    }

    @Test
    void aDamagedResultsFileIsNamedAndAnIncompleteRowIsNoted() throws Exception {
        Path out = tmp.resolve("damaged");
        assertEquals(0, waec(tiny(out, "--set", "strategies=resize,lowrank")).code());
        Path results = out.resolve("results.jsonl");
        List<String> lines = Files.readAllLines(results);
        assertEquals(3, lines.size());

        // a killed run's last line: the table says which row is missing and that --resume reruns it
        String last = lines.get(2);
        Files.writeString(results, lines.get(0) + "\n" + lines.get(1) + "\n" + last.substring(0, last.length() / 2));
        CliRun.Result r = CliRun.run("table", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Incomplete: line 3 of results.jsonl was cut off") && r.out().contains("--resume"),
                r.out());
        assertFalse(r.out().contains("| lowrank "), r.out());
        assertTrue(r.out().contains("| resize "), r.out());

        // garbage inside the file: one line naming file and line
        Files.writeString(results, lines.get(0) + "\n[1, 2]\n" + lines.get(2) + "\n");
        String err = oneLine(CliRun.run("table", out.toString()));
        assertTrue(err.contains(results + ": line 2 is not a result row"), err);
        assertFalse(err.contains("Exception"), err);

        // a resume mends an incomplete last line and reruns its row, storing each row once
        Files.writeString(results, lines.get(0) + "\n" + lines.get(1) + "\n" + last.substring(0, 40));
        assertEquals(0, waec(tiny(out, "--resume", "--set", "strategies=resize,lowrank")).code());
        assertEquals(List.of("backbone", "resize", "lowrank"),
                Files.readAllLines(results).stream()
                        .map(l -> JsonParser.parseString(l).getAsJsonObject().get("id").getAsString()).toList());
    }

    @Test
    void aLoadedBackboneIsFineTunedOnlyWhenAsked() {
        StrategyRegistry none = StrategyRegistry.of();
        ExperimentSettings preset = ExperimentSettings.from(ExperimentConfig.load(Map.of("backbone.weights",
                "b.safetensors"),
                null, "quick", new Properties(), none));
        assertNull(preset.train(), "the quick preset's 3 backbone epochs were applied to a loaded backbone");
        ExperimentSettings asked = ExperimentSettings.from(ExperimentConfig.load(Map.of("backbone.weights",
                "b.safetensors", "train.epochs", "2"), null, "quick", new Properties(), none));
        assertEquals(2, asked.train().epochs());
        ExperimentSettings trained = ExperimentSettings.from(ExperimentConfig.load(Map.of(), null, "quick",
                new Properties(), none));
        assertEquals(3, trained.train().epochs());
    }
}

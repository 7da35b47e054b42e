package org.waecompress.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.experiments.cli.CliRun;
import org.waecompress.experiments.harness.ResultStore;
import org.waecompress.experiments.result.ResultRow;

/** A variant defined in a user's plan is a row like a shipped strategy, and a bad one is refused in one line. */
class VariantsTest {

    @TempDir
    Path dir;

    @Test
    void aPlansVariantIsARowWithItsSettingsRecorded() throws Exception {
        Path plan = dir.resolve("plan.yaml");
        Files.writeString(plan, """
                variant:
                  my-resize:
                    base: resize
                    fineTuneRateFactor: 0.5
                    description: resize at half the run's fine-tune rate
                """);
        Path out = dir.resolve("run");
        List<String> args = RunIntegrityTest.tiny(out, "--config", plan.toString(), "--set",
                "strategies=resize,my-resize",
                "--set", "strategy.my-resize.fineTuneEpochs=1");
        CliRun.Result r = RunIntegrityTest.waec(args);
        assertEquals(0, r.code(), r.err());
        List<ResultRow> rows = new ResultStore(out).read();
        assertEquals(List.of("backbone", "resize", "my-resize"), rows.stream().map(ResultRow::id).toList());
        assertTrue(rows.get(2).network().startsWith("my-resize-"), rows.get(2).network());
        JsonObject p = JsonParser.parseString(Files.readString(out.resolve("provenance.json"))).getAsJsonObject();
        JsonObject mine = p.getAsJsonObject("strategySettings").getAsJsonObject("my-resize");
        assertEquals("0.5", mine.getAsJsonObject("fineTuneRateFactor").get("value").getAsString());
        assertEquals("variant of resize", mine.getAsJsonObject("fineTuneRateFactor").get("source").getAsString());
        assertEquals("1", mine.getAsJsonObject("fineTuneEpochs").get("value").getAsString());
        assertEquals("--set", mine.getAsJsonObject("fineTuneEpochs").get("source").getAsString());
        assertEquals("declared default", p.getAsJsonObject("strategySettings").getAsJsonObject("resize")
                .getAsJsonObject("fineTuneRateFactor").get("source").getAsString());
        assertTrue(Files.readString(out.resolve("table.md")).contains("my-resize 0.5x"), "the rate note");
    }

    @Test
    void badDefinitionsAreOneLineNamingTheKey() {
        String err = RunIntegrityTest.oneLine(RunIntegrityTest.waec(RunIntegrityTest.tiny(dir.resolve("a"),
                "--set", "variant.mine.base=thinnet", "--set", "strategies=mine")));
        assertTrue(err.startsWith("waec: variant.mine.base = thinnet: no installed strategy has this id (from --set)"),
                err);
        err = RunIntegrityTest.oneLine(RunIntegrityTest.waec(RunIntegrityTest.tiny(dir.resolve("b"),
                "--set", "variant.mine.base=thinet", "--set", "variant.mine.ratio=2", "--set", "strategies=mine")));
        assertEquals("waec: variant.mine.ratio = 2: must be a number in (0, 1)", err);
        err = RunIntegrityTest.oneLine(RunIntegrityTest.waec(RunIntegrityTest.tiny(dir.resolve("c"),
                "--set", "strategy.thinet.ratoi=0.3")));
        assertTrue(err.startsWith("waec: strategy.thinet.ratoi = 0.3: unknown key (from --set); did you mean "
                + "'strategy.thinet.ratio'?"), err);
        err = RunIntegrityTest.oneLine(RunIntegrityTest.waec(RunIntegrityTest.tiny(dir.resolve("d"),
                "--set", "strategy.wae.decoderChannels=0")));
        assertEquals("waec: strategy.wae.decoderChannels = 0: must be an integer >= 1 (from --set)", err);
        assertTrue(!Files.exists(dir.resolve("a")) && !Files.exists(dir.resolve("d")), "a refused plan made a folder");
    }
}

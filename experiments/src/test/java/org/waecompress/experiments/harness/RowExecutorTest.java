package org.waecompress.experiments.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.experiments.cli.Main;
import org.waecompress.experiments.result.ResultRow;
import org.waecompress.experiments.testkit.TinyPlan;

class RowExecutorTest {

    @TempDir
    Path tmp;

    private static List<String> tiny(Path out, String... more) {
        List<String> a = TinyPlan.args(out, "--set", "strategies=resize,lowrank");
        a.addAll(Arrays.asList(more));
        return a;
    }

    @Test
    void rowsHandedBackTwiceAndOutOfOrderAreStoredOnceInPlanOrderAsALocalRunComputesThem() throws Exception {
        assertEquals(0, Main.execute(tiny(tmp.resolve("local")).toArray(new String[0])));
        Path out = tmp.resolve("twice");
        assertEquals(0, Main.execute(tiny(out, "--set", "run.executor=twice").toArray(new String[0])));
        List<ResultRow> local = new ResultStore(tmp.resolve("local")).read();
        List<ResultRow> twice = new ResultStore(out).read();
        assertEquals(3, Files.readAllLines(out.resolve("results.jsonl")).size());
        assertEquals(List.of("backbone", "lowrank", "resize"), twice.stream().map(ResultRow::id).toList());
        for (ResultRow l : local) {
            ResultRow t = twice.stream().filter(r -> r.id().equals(l.id())).findFirst().orElseThrow();
            assertEquals(l.errors(), t.errors(), l.id());
            assertEquals(l.cost(), t.cost(), l.id());
        }
        assertTrue(Files.readString(out.resolve("table.md")).indexOf("| resize") < Files.readString(
                out.resolve("table.md")).indexOf("| lowrank"), "the table keeps the plan's order");
        assertTrue(Files.readString(out.resolve("log.txt")).contains("handed back again"));
        // the note names where the rows were computed, as the executor describes it
        assertTrue(Files.readString(out.resolve("table.md")).contains("computed as test tasks, each from the "
                + "backbone saved in the run folder"));
    }

    @Test
    void anExecutorThatIsNotThereIsOneLineNamingTheKey() {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        int code;
        try {
            System.setErr(new java.io.PrintStream(err, true));
            code = Main.execute(tiny(tmp.resolve("none"), "--set", "run.executor=mapreduce").toArray(new String[0]));
        } finally {
            System.setErr(saved);
        }
        assertEquals(2, code);
        assertTrue(err.toString().startsWith("waec: run.executor = mapreduce: no such executor on the class path "
                + "(found: local, twice)"), err.toString());
        assertTrue(!Files.exists(tmp.resolve("none")));
    }
}

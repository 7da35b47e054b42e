package org.waecompress.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.experiments.cli.Main;
import org.waecompress.experiments.harness.ResultStore;
import org.waecompress.experiments.result.ResultRow;
import org.waecompress.experiments.testkit.TinyPlan;

/**
 * Plans computed as Spark tasks on {@code local[2]}: the same rows and accuracies as in-process, a failed task
 * retried with its row stored once, and a resumed Spark run that computes only what is missing.
 */
class SparkRowExecutorTest {

    @TempDir
    Path tmp;

    static List<String> tiny(Path out, String... more) {
        return TinyPlan.args(out, more);
    }

    static Map<String, ResultRow> run(List<String> args) {
        int code = Main.execute(args.toArray(new String[0]));
        assertEquals(0, code, String.join(" ", args));
        Path out = Path.of(args.get(args.indexOf("--out") + 1));
        Map<String, ResultRow> rows = new TreeMap<>();
        for (ResultRow r : new ResultStore(out).read()) {
            assertEquals(null, rows.put(r.id(), r), "row " + r.id() + " stored twice");
        }
        return rows;
    }

    @Test
    void aSparkRunGivesTheRowsAndAccuraciesOfALocalRun() throws Exception {
        String plan = "strategies=resize,lowrank,thinet,taylor-1,wae";
        Map<String, ResultRow> local = run(tiny(tmp.resolve("local"), "--set", plan));
        Path sparkDir = tmp.resolve("spark");
        Map<String, ResultRow> spark = run(tiny(sparkDir, "--set", plan,
                "--set", "run.executor=spark", "--set", "spark.master=local[2]"));
        assertEquals(local.keySet(), spark.keySet());
        for (String id : local.keySet()) {
            assertEquals(local.get(id).errors(), spark.get(id).errors(), id);
            assertEquals(local.get(id).cost(), spark.get(id).cost(), id);
            assertEquals(local.get(id).provenance().settings(), spark.get(id).provenance().settings(), id);
            assertEquals(1, spark.get(id).timings().engines().size(), id + ": timed on the driver");
        }
        String md = Files.readString(sparkDir.resolve("table.md"));
        assertTrue(md.contains("computed as Spark tasks (master local[2])"), md);
        assertTrue(Files.readString(sparkDir.resolve("log.txt")).contains("spark: 5 rows as tasks on local[2]"));
        // the task's network files were for the driver's timing only
        assertTrue(!Files.exists(sparkDir.resolve("networks").resolve("lowrank.spec.json")));
    }

    @Test
    void aFailedTaskIsRetriedAndItsRowStoredOnce() {
        System.setProperty(RowTask.FAIL_ONCE, "lowrank");
        try {
            Map<String, ResultRow> rows = run(tiny(tmp.resolve("retry"), "--set", "strategies=resize,lowrank",
                    "--set", "run.executor=spark", "--set", "spark.master=local[2,2]"));
            assertEquals(List.of("backbone", "lowrank", "resize"), new ArrayList<>(rows.keySet()));
            assertTrue(rows.get("lowrank").errors() != null && !rows.get("lowrank").failed());
        } finally {
            System.clearProperty(RowTask.FAIL_ONCE);
        }
    }

    @Test
    void aResumedSparkRunComputesOnlyTheMissingRows() throws Exception {
        Path out = tmp.resolve("resume");
        Map<String, ResultRow> first = run(tiny(out, "--set", "strategies=resize", "--set", "run.executor=spark"));
        Map<String, ResultRow> second = run(tiny(out, "--resume", "--set", "strategies=resize,lowrank",
                "--set", "run.executor=spark", "--set", "output.keepNetworks=true"));
        assertEquals(List.of("backbone", "lowrank", "resize"), new ArrayList<>(second.keySet()));
        assertEquals(first.get("resize"), second.get("resize"));
        assertEquals(first.get("backbone"), second.get("backbone"));
        String log = Files.readString(out.resolve("log.txt"));
        assertTrue(log.contains("spark: 1 row as tasks on local[2]"), log);

        // a driver that died after a task computed lowrank and before storing it: the next resume takes the
        // computed row from the run folder instead of computing it again, and stores it once
        Path results = out.resolve("results.jsonl");
        List<String> lines = Files.readAllLines(results);
        String lowrank = lines.stream().filter(l -> l.contains("\"id\":\"lowrank\"")).findFirst().orElseThrow();
        Files.write(results, lines.stream().filter(l -> !l.equals(lowrank)).toList());
        Files.createDirectories(out.resolve("computed"));
        Files.writeString(out.resolve("computed").resolve("lowrank.json"), lowrank + "\n");
        Map<String, ResultRow> third = run(tiny(out, "--resume", "--set", "strategies=resize,lowrank",
                "--set", "run.executor=spark"));
        assertEquals(second.get("lowrank").errors(), third.get("lowrank").errors());
        assertEquals(3, third.size());
        log = Files.readString(out.resolve("log.txt"));
        assertTrue(log.contains("lowrank: computed by an earlier run's task"), log);
        assertEquals(2, log.split("spark: ", -1).length - 1, "a task ran for the computed row: " + log);
        assertTrue(!Files.exists(out.resolve("computed").resolve("lowrank.json")));
    }
}

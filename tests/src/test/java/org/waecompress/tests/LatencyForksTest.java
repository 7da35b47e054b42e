package org.waecompress.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.experiments.cli.CliRun;
import org.waecompress.experiments.harness.ResultStore;
import org.waecompress.experiments.result.EngineTiming;
import org.waecompress.experiments.result.ResultRow;

/** A speed table timed in fresh JVMs ({@code latency.forks}) on both engines, through the command line. */
@Tag("slow")
class LatencyForksTest {

    @TempDir
    Path dir;

    @Test
    void everyRowIsTimedInTheForksAndReportsTheirMedianAndRange() throws Exception {
        Path out = dir.resolve("run");
        CliRun.Result r = CliRun.run("run", "--set", "data.kind=synthetic", "--set", "data.synthetic.size=16",
                "--set", "data.synthetic.classes=4", "--set", "backbone.name=vgg16-bn-small", "--set",
                "backbone.width=0.25", "--set", "accuracy.enabled=false", "--set", "strategies=wae,halfwidth",
                "--set", "latency.forks=2", "--set", "latency.warmup=1", "--set", "latency.runs=3", "--set",
                "latency.throughputBatch=2", "--set", "latency.engine=both", "--set", "experiment.then=", "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        List<ResultRow> rows = new ResultStore(out).read();
        assertEquals(List.of("backbone", "wae", "halfwidth"), rows.stream().map(ResultRow::id).toList());
        for (EngineTiming t : rows.get(0).timings().engines()) {
            assertNull(t.forkSpeedups(), "the backbone row has no pairing");
            assertEquals(1.0, t.speedup(), 0.0);
        }
        for (ResultRow row : rows.subList(1, 3)) {
            assertEquals(List.of("onnxruntime", "pytorch"),
                    row.timings().engines().stream().map(EngineTiming::engine).toList());
            for (EngineTiming t : row.timings().engines()) {
                List<Double> sp = t.forkSpeedups();
                assertEquals(2, sp.size(), row.id());
                assertEquals((sp.get(0) + sp.get(1)) / 2, t.speedup(), 1e-12, row.id());
                assertTrue(t.medianMs() > 0 && t.baselineMs() > 0 && t.fallback() == null, row.toString());
            }
        }
        String md = Files.readString(out.resolve("table.md"));
        assertTrue(md.contains("speed-up range (ORT)") && md.contains("speed-up range (PyTorch)"), md);
        assertTrue(md.contains("every row timed in 2 fresh JVMs"), md);
        String prov = Files.readString(out.resolve("provenance.json"));
        assertTrue(prov.contains("\"engine\": \"onnxruntime\"") && prov.contains("\"engine\": \"pytorch\"")
                && prov.contains("\"executionMode\": \"sequential\"") && prov.contains("\"gapMs\": 0"), prov);
        try (Stream<Path> left = Files.list(out)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith(".latency")).toList(),
                    "the scratch folder is removed");
        }
    }
}

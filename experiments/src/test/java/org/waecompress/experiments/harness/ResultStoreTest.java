package org.waecompress.experiments.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.experiments.result.Cost;
import org.waecompress.experiments.result.EngineTiming;
import org.waecompress.experiments.result.Errors;
import org.waecompress.experiments.result.PaperReference;
import org.waecompress.experiments.result.ResultRow;
import org.waecompress.experiments.result.RowProvenance;
import org.waecompress.experiments.result.Timings;
import org.waecompress.spi.error.CompressionException;

class ResultStoreTest {

    @TempDir
    Path dir;

    static ResultRow row(String id) {
        return new ResultRow(id, id, "net", id, new Errors(0.1, 0.01, 100), new Cost(10, 20, 2.5, null), new Timings(1,
                4, List.of(new EngineTiming("onnxruntime", 1.5, 2.0, 3.0, 2.0, 100, null, null))), null, null,
                new RowProvenance(1, Map.of(), "t"), null);
    }

    @Test
    void truncatedLastLineIsDroppedAndRepaired() throws Exception {
        ResultStore s = new ResultStore(dir);
        s.append(row("backbone"));
        s.append(row("wae"));
        Files.writeString(s.file(), "{\"row\":\"resize\",\"label\":\"res", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        assertEquals(List.of("backbone", "wae"), s.read().stream().map(ResultRow::id).toList());
        s.repair();
        s.append(row("resize"));
        assertEquals(List.of("backbone", "wae", "resize"), s.read().stream().map(ResultRow::id).toList());
        assertEquals(3, Files.readAllLines(s.file()).size());
    }

    @Test
    void damagedMiddleLineIsAnError() throws Exception {
        ResultStore s = new ResultStore(dir);
        s.append(row("backbone"));
        Files.writeString(s.file(), "garbage{\n", StandardOpenOption.APPEND);
        s.append(row("wae"));
        assertThrows(CompressionException.class, s::read);
    }

    @Test
    void aRowRoundTripsThroughTheFile() {
        ResultStore s = new ResultStore(dir);
        ResultRow r = row("wae");
        s.append(r);
        assertEquals(List.of(r), s.read());
    }

    @Test
    void rowsOfTheFlatFormatAreReadAsGroupedRowsAndRepairRewritesThem() throws Exception {
        ResultStore s = new ResultStore(dir);
        // as runs before the grouped format wrote them: a measured row, a failed one, and one from before timings
        Files.writeString(s.file(), String.join("\n",
                "{\"row\":\"wae\",\"label\":\"wae\",\"network\":\"wae-net\",\"strategy\":\"wae\","
                        + "\"top1Error\":0.1497,\"top5Error\":0.0026,\"testImages\":10000,\"macs\":19612928,"
                        + "\"params\":922842,\"macSpeedup\":1.93,\"latencyBatch\":1,\"throughputBatch\":16,"
                        + "\"timings\":[{\"engine\":\"onnxruntime\",\"medianMs\":0.21,\"p90Ms\":0.3,"
                        + "\"baselineMs\":0.4,\"speedup\":1.9,\"throughput\":6049.3}],\"onnx\":{\"file\":"
                        + "\"networks/wae.onnx\",\"bytes\":3716727,\"worstRelative\":6.5E-7},\"trainSeconds\":27.2,"
                        + "\"paperTop5Error\":11.87,\"paperSpeedup\":3.13,\"settings\":{\"gamma\":\"0.01\"},"
                        + "\"finishedAt\":\"2026-12-01T11:56:20Z\",\"macsByPart\":{\"encoder\":4866048,\"low\":2}}",
                "{\"row\":\"taylor-1\",\"label\":\"taylor-1\",\"network\":\"taylor-1\",\"strategy\":\"taylor-1\","
                        + "\"macs\":0,\"params\":0,\"macSpeedup\":0,\"latencyBatch\":1,\"throughputBatch\":16,"
                        + "\"timings\":[],\"trainSeconds\":3.5,\"settings\":{},\"finishedAt\":\"t\","
                        + "\"failure\":\"training diverged: loss became NaN\"}",
                "{\"row\":\"backbone\",\"label\":\"net (backbone)\",\"network\":\"net\",\"macs\":78,"
                        + "\"params\":10,\"macSpeedup\":1,\"latencyBatch\":1,\"throughputBatch\":4,\"latencyMs\":2.5,"
                        + "\"latencyP90Ms\":3,\"baselineLatencyMs\":2.5,\"speedup\":1,\"throughput\":400,"
                        + "\"trainSeconds\":1,\"settings\":{},\"finishedAt\":\"t\"}") + "\n");
        List<ResultRow> rows = s.read();
        ResultRow wae = rows.get(0);
        assertEquals("wae", wae.id());
        assertEquals(new Errors(0.1497, 0.0026, 10000), wae.errors());
        assertEquals(new Cost(19612928, 922842, 1.93, Map.of("encoder", 4866048L, "low", 2L)), wae.cost());
        assertEquals(new Timings(1, 16, List.of(new EngineTiming("onnxruntime", 0.21, 0.3, 0.4, 1.9, 6049.3, null,
                null))), wae.timings());
        assertEquals("networks/wae.onnx", wae.onnx().file());
        assertEquals(new PaperReference(11.87, 3.13), wae.paper());
        assertEquals(new RowProvenance(27.2, Map.of("gamma", "0.01"), "2026-12-01T11:56:20Z"), wae.provenance());
        assertNull(wae.failure());
        ResultRow failed = rows.get(1);
        assertTrue(failed.failed());
        assertNull(failed.errors());
        assertNull(failed.paper());
        assertEquals("training diverged: loss became NaN", failed.failure());
        ResultRow old = rows.get(2);
        assertNull(old.strategy());
        assertEquals(List.of(new EngineTiming("pytorch", 2.5, 3, 2.5, 1, 400, null, null)), old.timings().engines());
        s.repair();
        assertTrue(Files.readAllLines(s.file()).stream().allMatch(l -> l.startsWith("{\"id\":")),
                Files.readString(s.file()));
        assertEquals(rows, s.read());
    }
}

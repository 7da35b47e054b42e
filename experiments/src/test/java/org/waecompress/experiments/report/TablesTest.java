package org.waecompress.experiments.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.waecompress.experiments.result.Cost;
import org.waecompress.experiments.result.EngineTiming;
import org.waecompress.experiments.result.Errors;
import org.waecompress.experiments.result.OnnxFileInfo;
import org.waecompress.experiments.result.PaperReference;
import org.waecompress.experiments.result.ResultRow;
import org.waecompress.experiments.result.RowProvenance;
import org.waecompress.experiments.result.Timings;

/**
 * Golden-file tests of every table format, under two default locales (number formatting must not
 * follow the locale). A change to a golden file changes what users' papers print: review it.
 */
class TablesTest {

    static List<ResultRow> rows() {
        EngineTiming mine = new EngineTiming("pytorch", 0.5, 0.75, 2.0, 4.0, 2000.0, null, null);
        return List.of(
                new ResultRow("backbone", "vgg16 (backbone)", "vgg16", null, new Errors(0.2834, 0.1165, 10000),
                        new Cost(15_470_264_320L, 138_357_544L, 1.0, null), new Timings(1, 4,
                        List.of( new EngineTiming("onnxruntime", 216.25, 230.5, 216.25, 1.0, 4.8765, null, null),
                        new EngineTiming("pytorch", 203.456, 221.0, 203.456, 1.0, 5.1234, null, null))),
                        new OnnxFileInfo("networks/backbone.onnx", 553_408_804L, 1.7e-6), new PaperReference(11.65,
                        1.0), new RowProvenance(3600.5, Map.of(), "2026-11-25T00:00:00Z"), null),
                new ResultRow("wae", "wae", "wae-vgg16", "wae", new Errors(0.3012, 0.1187, 10000),
                        new Cost(4_381_913_088L, 53_324_582L, 3.5305, null), new Timings(1, 4,
                        List.of( new EngineTiming("onnxruntime", 63.1, 64.0, 215.0, 3.4073, 18.5, null, null),
                        new EngineTiming("pytorch", 61.2, 70.75, 201.9, 3.299, 17.25, null, null))),
                        new OnnxFileInfo("networks/wae.onnx", 161_932_910L, 1.1e-6), new PaperReference(11.87, 3.13),
                        new RowProvenance(1234.0, Map.of("lambda", "1.0"), "2026-11-25T01:00:00Z"), null),
                new ResultRow("my_strategy", "my_strategy & co", "x-net", "my_strategy", null, new Cost(999, 12_345,
                        16.5, null), new Timings(1, 4, List.of(mine.standingFor("onnxruntime",
                        "node type 'mine' (com.example.Mine, at x) has no ONNX lowering"), mine)), null, null,
                        new RowProvenance(1.0, Map.of(), "2026-11-25T02:00:00Z"), null));
    }

    static Tables.Meta meta() {
        return new Tables.Meta("speed: vgg16 at 50% & more", List.of("Data: synthetic.", "MACs: conv + linear."));
    }

    static String golden(String name) throws IOException {
        try (InputStream in = TablesTest.class.getResourceAsStream("/golden/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void everyFormatMatchesItsGoldenFileUnderTwoLocales() throws IOException {
        Locale saved = Locale.getDefault();
        try {
            for (Locale l : new Locale[] {Locale.ROOT, Locale.GERMANY}) {
                Locale.setDefault(l);
                for (TableFormat f : TableFormat.values()) {
                    assertEquals(golden(f.fileName()), Tables.render(rows(), meta(), f), f + " under " + l);
                }
            }
        } finally {
            Locale.setDefault(saved);
        }
    }

    @Test
    void compositeNetworksGetANoteWithTheirParts() {
        java.util.Map<String, Long> parts = new java.util.LinkedHashMap<>();
        parts.put("encoder", 252_887_040L);
        parts.put("split", 10_838_016L);
        parts.put("low", 3_836_657_664L);
        ResultRow wae = new ResultRow("wae", "wae", "wae-vgg16", "wae", null, new Cost(4_381_913_088L, 1, 1, parts),
                new Timings(1, 4, List.of(new EngineTiming("onnxruntime", 1, 1, 1, 1, 1, null, null))), null, null,
                new RowProvenance(1, Map.of(), "t"), null);
        Tables.Meta m = Tables.withPartNotes(meta(), List.of(rows().get(0), wae));
        assertEquals(3, m.notes().size());
        assertEquals("MACs of wae by part: encoder 252.89 M, split 10.84 M, low 3.84 G.",
                m.notes().get(2));
    }

    @Test
    void rowsTimedInForksGetASpeedUpRangeColumn() {
        ResultRow forked = new ResultRow("wae", "wae", "wae-vgg16", "wae", null, new Cost(4_381_913_088L, 1, 3.53,
                null), new Timings(1, 4, List.of(new EngineTiming("onnxruntime", 60.0, 70.0, 170.0, 2.8, 17.25,
                List.of(2.8, 2.5, 3.1), null))), null, null, new RowProvenance(1, Map.of(), "t"), null);
        List<ResultRow> rows = List.of(rows().get(0), forked);
        String md = Tables.render(rows, meta(), TableFormat.MD);
        assertTrue(md.contains("| speed-up range (ORT) |"), md);
        assertTrue(md.contains("|           2.50-3.10x |"), md);
        assertTrue(md.contains("|                    - |"), md);
        String csv = Tables.render(rows, meta(), TableFormat.CSV);
        assertTrue(csv.lines().findFirst().orElseThrow().contains(
                ",onnxruntime_speedup,onnxruntime_speedup_range,onnxruntime_timed_on,mac_speedup,"), csv);
        assertTrue(csv.contains(",2.8000,2.5000-3.1000,onnxruntime,3.5300,"), csv);
        assertTrue(Tables.render(rows, meta(), TableFormat.TEX).contains("2.50-3.10$\\times$"));
        assertFalse(Tables.render(rows().subList(0, 1), meta(), TableFormat.MD).contains("range"),
                "no column when no row was forked");
    }

    @Test
    void aRowTimedOnThePyTorchEngineInPlaceOfOnnxRuntimeIsMarkedAndExplained() {
        Tables.Meta m = Tables.withFallbackNotes(meta(), rows());
        assertEquals("* my_strategy & co: timed on the PyTorch engine in the ORT columns, because node type 'mine' "
                + "(com.example.Mine, at x) has no ONNX lowering", m.notes().get(m.notes().size() - 1));
        String md = Tables.render(rows(), m, TableFormat.MD);
        String line = md.lines().filter(l -> l.startsWith("| my_strategy")).findFirst().orElseThrow();
        assertTrue(line.matches("\\| my_strategy & co +\\| +- +\\| +- +\\| +999 +\\| +12\\.35 K +\\| +0\\.50\\* .*"),
                line);
    }

    /**
     * Rows measured on both engines: ONNX Runtime's error in the error columns, the PyTorch engine's beside it,
     * the largest difference over float and over int8 rows in a note, each int8 row's float leftovers, and the
     * PyTorch engine's int8 times marked as simulated.
     */
    @Test
    void accuracyOnBothEnginesAndInt8RowsAreSaid() {
        EngineTiming ort = new EngineTiming("onnxruntime", 1.0, 1.1, 2.0, 2.0, 100.0, null, null);
        EngineTiming pt = new EngineTiming("pytorch", 3.0, 3.1, 2.0, 0.67, 30.0, null, null);
        List<ResultRow> rows = List.of(
                new ResultRow("backbone", "net (backbone)", "net", null, new Errors(0.1500, 0.01, 100,
                        Errors.ONNXRUNTIME, 0.1498, 0.01), new Cost(100, 10, 1, null, 40L, false, null),
                        new Timings(1, 4, List.of(ort, pt)), null, null, null, null),
                new ResultRow("int8", "int8", "int8-net", "int8", new Errors(0.1530, 0.01, 100, Errors.ONNXRUNTIME,
                        0.1560, 0.01), new Cost(100, 10, 1, null, 13L, true, List.of("batchNorm x2 (a, ...)")),
                        new Timings(1, 4, List.of(ort, pt)), null, null, null, null),
                new ResultRow("odd", "odd", "odd-net", "odd", new Errors(0.2, 0.02, 100), new Cost(50, 10, 2, null),
                        new Timings(1, 4, List.of(ort, pt)), null, null, null, null));
        Tables.Meta m = Tables.withAccuracyNotes(meta(), rows);
        String notes = String.join("\n", m.notes());
        assertTrue(notes.contains("the engines differ in top-1 error by float rows at most 0.02 points "
                + "(net (backbone)), int8 rows at most 0.30 points (int8)"), notes);
        assertTrue(notes.contains("int8: int8 except what stays float: batchNorm x2 (a, ...)."), notes);
        assertTrue(notes.contains("odd: accuracy on the PyTorch engine, its network has no ONNX file to run."), notes);
        assertTrue(notes.contains("their PyTorch times are not int8 times"), notes);
        String md = Tables.render(rows, m, TableFormat.MD);
        assertTrue(md.contains("top-1 err PyTorch (%)") && md.contains("weights (MB)"), md);
        assertTrue(md.contains("15.30") && md.contains("15.60"), md);
    }
}

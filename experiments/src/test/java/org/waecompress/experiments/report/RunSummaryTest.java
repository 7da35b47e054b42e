package org.waecompress.experiments.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.waecompress.experiments.result.Cost;
import org.waecompress.experiments.result.EngineTiming;
import org.waecompress.experiments.result.Errors;
import org.waecompress.experiments.result.ResultRow;
import org.waecompress.experiments.result.RowProvenance;
import org.waecompress.experiments.result.Timings;

class RunSummaryTest {

    static ResultRow row(String id, Double top1, long macs, double speedup) {
        return new ResultRow(id, id, "net-" + id, id.equals("backbone") ? null : id,
                top1 == null ? null : new Errors(top1, top1 == null ? null : top1 / 10, top1 == null ? null : 10000),
                new Cost(macs, 100, 78.0 / macs, null), new Timings(1, 16, List.of(new EngineTiming("onnxruntime", 1.0,
                1.2, 2.0, speedup, 50, null, null))), null, null, new RowProvenance(1, Map.of(), "t"), null);
    }

    static List<RunSummary.Run> runs() {
        return List.of(
                new RunSummary.Run("a", List.of(row("backbone", 0.0649, 78, 1), row("wae", 0.0713, 26, 0.9),
                        row("resize", 0.0950, 20, 1.5))),
                new RunSummary.Run("b", List.of(row("backbone", 0.0609, 78, 1), row("wae", 0.0695, 26, 1.1))),
                new RunSummary.Run("c", List.of(row("backbone", 0.0600, 78, 1), row("wae", 0.0700, 26, 0.7))));
    }

    @Test
    void meanSpreadAndDistanceToEachRunsOwnBackbone() {
        List<RunSummary.Row> rows = RunSummary.of(runs());
        assertEquals(List.of("backbone", "wae", "resize"), rows.stream().map(RunSummary.Row::row).toList());
        RunSummary.Row wae = rows.get(1);
        assertEquals(3, wae.runs());
        assertEquals((7.13 + 6.95 + 7.00) / 3, wae.top1Mean(), 1e-9);
        double m = (7.13 + 6.95 + 7.00) / 3;
        double sd = Math.sqrt((Math.pow(7.13 - m, 2) + Math.pow(6.95 - m, 2) + Math.pow(7.00 - m, 2)) / 2);
        assertEquals(sd, wae.top1Sd(), 1e-9);
        assertEquals((0.64 + 0.86 + 1.00) / 3, wae.behindMean(), 1e-9, "each run against its own backbone");
        assertEquals(0.9, wae.speedupMedian(), 0.0);
        RunSummary.Row resize = rows.get(2);
        assertEquals(1, resize.runs());
        assertNull(resize.top1Sd(), "no spread from one run");
        assertEquals(3.01, resize.behindMean(), 1e-9);
        assertNull(rows.get(0).behindMean(), "the backbone is not behind itself");
    }

    @Test
    void rendersMeanSdRangeAndDistance() {
        List<RunSummary.Row> rows = RunSummary.of(runs());
        String md = RunSummary.render(rows, RunSummary.meta("p12", List.of("a", "b", "c")), TableFormat.MD);
        assertTrue(md.startsWith("**p12 (3 runs)**"), md);
        assertTrue(md.contains("| wae      |    3 |          7.03 | 0.09 | 6.95-7.13 |                    +0.83 |"),
                md);
        assertTrue(md.contains("| resize   |    1 |          9.50 |    - | 9.50-9.50 |                    +3.01 |"),
                md);
        String csv = RunSummary.render(rows, RunSummary.meta("p12", List.of("a")), TableFormat.CSV);
        assertTrue(csv.startsWith("row,network,method,runs,top1_err_pct_mean,top1_err_pct_sd,top1_err_pct_range,"
                + "behind_backbone_points,top5_err_pct_mean,macs,params,speedup_median,mac_speedup,pareto\n"), csv);
        assertTrue(csv.contains("\nresize,net-resize,resize,1,9.5000,,9.5000-9.5000,3.0100,"), csv);
    }

    @Test
    void aRowWhoseMacsDifferBetweenRunsIsRefused() {
        List<RunSummary.Run> runs = List.of(new RunSummary.Run("runs/a", List.of(row("wae", 0.07, 26, 1))),
                new RunSummary.Run("runs/b", List.of(row("wae", 0.07, 30, 1))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunSummary.of(runs));
        assertEquals("row 'wae' has 26 MACs in runs/a but 30 in runs/b; summarise runs of one plan (same backbone, "
                + "width and input)", e.getMessage());
    }

    @Test
    void aRowWhoseSettingsDifferBetweenRunsIsRefused() {
        ResultRow a = row("wae", 0.07, 26, 1);
        ResultRow b = new ResultRow("wae", "wae", "net-wae", "wae", new Errors(0.07, 0.007, 10000), new Cost(26, 100,
                3, null), new Timings(1, 16, List.of(new EngineTiming("onnxruntime", 1.0, 1.2, 2.0, 1, 50, null,
                null))), null, null, new RowProvenance(1, Map.of("stage2.epochs", "3"), "t"), null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunSummary.of(List.of(
                new RunSummary.Run("runs/p12b", List.of(a)), new RunSummary.Run("runs/p12c", List.of(b)))));
        assertEquals("row 'wae' has other settings in runs/p12c than in runs/p12b (stage2.epochs default against 3); "
                + "summarise runs of one plan", e.getMessage());
    }
}

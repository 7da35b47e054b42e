package org.waecompress.experiments.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYAnnotation;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.text.TextUtils;
import org.junit.jupiter.api.Test;
import org.waecompress.experiments.result.Cost;
import org.waecompress.experiments.result.EngineTiming;
import org.waecompress.experiments.result.Errors;
import org.waecompress.experiments.result.ResultRow;
import org.waecompress.experiments.result.RowProvenance;
import org.waecompress.experiments.result.Timings;

class ParetoTest {

    /** A row with an error (%), a measured speed-up and MACs. */
    static ResultRow row(String id, Double errorPct, double speedup, long macs) {
        return new ResultRow(id, id, id + "-net", id.equals("backbone") ? null : id,
                errorPct == null ? null : new Errors(errorPct / 100, null, 1000), new Cost(macs, 10,
                1_000_000.0 / macs, null), new Timings(1, 4, List.of(new EngineTiming("pytorch", 10 / speedup, 11, 10,
                speedup, 100, null, null))), null, null, new RowProvenance(1, Map.of(), "t"), null);
    }

    /**
     * A hand-worked table: backbone 10% at 1x and 1 M MACs; a: 11% at 2x, 0.5 M; b: 12% at 1.5x
     * (a beats it on both axes), 0.4 M (cheapest but for c); c: 15% at 3x, 0.3 M; d: 11% at 2x, 0.5 M,
     * a tie with a (neither dominates the other); e failed.
     */
    private static List<ResultRow> table() {
        List<ResultRow> rows = new ArrayList<>(List.of(row("backbone", 10.0, 1.0, 1_000_000),
                row("a", 11.0, 2.0, 500_000), row("b", 12.0, 1.5, 400_000), row("c", 15.0, 3.0, 300_000),
                row("d", 11.0, 2.0, 500_000)));
        rows.add(new ResultRow("e", "e", "e", "e", null, new Cost(1, 1, 1, null), new Timings(1, 4, List.of()), null,
                null, new RowProvenance(1, Map.of(), "t"), "training diverged: loss NaN"));
        return rows;
    }

    @Test
    void theFrontsOfAHandWorkedTable() {
        assertEquals(List.of("backbone", "a", "c", "d"), List.copyOf(Pareto.front(table(), Pareto.Axis.SPEEDUP)));
        // by MACs b is on the front: nothing cheaper is as accurate
        assertEquals(List.of("backbone", "a", "b", "c", "d"), List.copyOf(Pareto.front(table(), Pareto.Axis.MACS)));
    }

    @Test
    void dominanceNeedsOneStrictlyBetterAxis() {
        assertTrue(Pareto.dominates(1, 2, 1, 1));
        assertTrue(Pareto.dominates(0.5, 1, 1, 1));
        assertFalse(Pareto.dominates(1, 1, 1, 1));
        assertFalse(Pareto.dominates(0.5, 0.5, 1, 1));
    }

    @Test
    void aSpeedOnlyTableHasNoFrontAndNoParetoColumn() {
        List<ResultRow> rows = List.of(row("backbone", null, 1.0, 1_000_000), row("a", null, 2.0, 500_000));
        assertTrue(Pareto.front(rows, Pareto.Axis.SPEEDUP).isEmpty());
        assertFalse(Tables.render(rows, new Tables.Meta("t", List.of()), TableFormat.MD).contains("Pareto"));
    }

    @Test
    void everyFormatMarksTheFront() {
        List<ResultRow> rows = table();
        Tables.Meta meta = new Tables.Meta("t", List.of());
        String md = Tables.render(rows, meta, TableFormat.MD);
        assertTrue(md.lines().anyMatch(l -> l.startsWith("| b ") && l.endsWith("| MACs           |")), md);
        assertTrue(md.lines().anyMatch(l -> l.startsWith("| a ") && l.endsWith("| speed-up, MACs |")), md);
        assertTrue(md.contains("- Pareto: "), md);
        String csv = Tables.render(rows, meta, TableFormat.CSV);
        assertTrue(csv.lines().anyMatch(l -> l.startsWith("b,") && l.endsWith(",MACs,1000")), csv);
        assertTrue(csv.lines().anyMatch(l -> l.startsWith("c,") && l.endsWith(",speed-up+MACs,1000")), csv);
        assertTrue(Tables.render(rows, meta, TableFormat.TEX).lines().anyMatch(l -> l.startsWith("b &")
                && l.endsWith(" & MACs \\\\")));
        String json = Tables.render(rows, meta, TableFormat.JSON);
        assertTrue(json.replaceAll("\\s", "").contains("\"pareto\":{\"speed-up\":[\"backbone\",\"a\",\"c\",\"d\"],"
                + "\"MACs\":[\"backbone\",\"a\",\"b\",\"c\",\"d\"]}"), json);
    }

    @Test
    void theSummaryOverRunsMarksItsFront() {
        List<ResultRow> run1 = table().subList(0, 4);
        List<ResultRow> run2 = List.of(row("backbone", 10.0, 1.0, 1_000_000), row("a", 13.0, 2.0, 500_000),
                row("b", 12.0, 1.5, 400_000), row("c", 15.0, 3.0, 300_000));
        List<RunSummary.Row> summary = RunSummary.of(List.of(new RunSummary.Run("1", run1),
                new RunSummary.Run("2", run2)));
        // means: a and b both 12%; a is faster (it dominates b by speed-up), b is cheaper (it dominates a by MACs)
        assertEquals(Set.of("backbone", "a", "c"), RunSummary.front(summary, Pareto.Axis.SPEEDUP));
        assertEquals(Set.of("backbone", "b", "c"), RunSummary.front(summary, Pareto.Axis.MACS));
        String md = RunSummary.render(summary, new Tables.Meta("t", List.of()), TableFormat.MD);
        assertTrue(md.lines().anyMatch(l -> l.startsWith("| b ") && l.endsWith("| MACs           |")), md);
    }

    /** Draws a chart and returns each label's text box, after checking it lies inside the plot area. */
    private static List<Rectangle2D> labelBoxes(JFreeChart chart) {
        BufferedImage image = new BufferedImage(Plots.WIDTH, Plots.HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        ChartRenderingInfo info = new ChartRenderingInfo();
        chart.draw(g, new Rectangle2D.Double(0, 0, Plots.WIDTH, Plots.HEIGHT), info);
        Rectangle2D area = info.getPlotInfo().getDataArea();
        XYPlot plot = chart.getXYPlot();
        g.setFont(Plots.LABEL_FONT);
        List<Rectangle2D> boxes = new java.util.ArrayList<>();
        for (XYAnnotation an : plot.getAnnotations()) {
            if (an instanceof XYTextAnnotation a) {
                float x = (float) plot.getDomainAxis().valueToJava2D(a.getX(), area, plot.getDomainAxisEdge());
                float y = (float) plot.getRangeAxis().valueToJava2D(a.getY(), area, plot.getRangeAxisEdge());
                Rectangle2D box = TextUtils.calcAlignedStringBounds(a.getText(), g, x, y, a.getTextAnchor());
                assertTrue(area.contains(box), a.getText() + " at " + box + " leaves the plot area " + area);
                boxes.add(box);
            }
        }
        g.dispose();
        return boxes;
    }

    @Test
    void labelsStayInsideThePlotArea() {
        System.setProperty("java.awt.headless", "true");
        // the long labels at the right and top edges are the ones a fixed anchor cuts off
        List<ResultRow> rows = List.of(row("backbone", 10.0, 1.0, 1_000_000),
                row("thinet-30-and-a-long-label", 30.0, 6.0, 100_000), row("a-long-label-on-the-top-edge", 31.0, 5.9,
                        110_000), row("taylor", 12.0, 2.0, 500_000));
        assertEquals(rows.size(), labelBoxes(Plots.accuracyVsSpeedup(rows)).size());
    }

    /**
     * Issue 30, item 4: eight rows near the same speed-up and error (the 224 plot's crowd near 3.5x) get
     * labels inside the plot area that overlap no other label.
     */
    @Test
    void crowdedLabelsDoNotOverlap() {
        System.setProperty("java.awt.headless", "true");
        List<ResultRow> rows = new java.util.ArrayList<>(List.of(row("backbone", 10.0, 1.0, 1_000_000),
                row("far", 40.0, 9.0, 90_000)));
        String[] names = {"wae", "thinet", "decomposition", "wavelet", "thinet-gap", "thinet-conv", "lowrank",
            "taylor-2"};
        for (int i = 0; i < names.length; i++) {
            rows.add(row(names[i], 20.0 + 0.05 * i, 3.5 + 0.01 * i, 300_000));
        }
        List<Rectangle2D> boxes = labelBoxes(Plots.accuracyVsSpeedup(rows));
        assertEquals(rows.size(), boxes.size());
        for (int i = 0; i < boxes.size(); i++) {
            for (int j = 0; j < i; j++) {
                Rectangle2D cut = boxes.get(i).createIntersection(boxes.get(j));
                assertTrue(cut.getWidth() <= 1 || cut.getHeight() <= 1, "labels " + i + " and " + j + " overlap: "
                        + boxes.get(i) + ", " + boxes.get(j));
            }
        }
    }
}

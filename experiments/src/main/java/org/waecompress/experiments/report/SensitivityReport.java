package org.waecompress.experiments.report;

import static org.waecompress.experiments.report.TableRenderer.f;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.LookupPaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.DefaultXYZDataset;
import org.waecompress.experiments.report.TableRenderer.Column;
import org.waecompress.experiments.result.SensitivityCell;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.io.AtomicFiles;

/**
 * A sensitivity analysis as a table (one row per unit, one column per ratio: the accuracy drop in
 * points; md, tex, csv or json) and as a heat map PNG, and a per-unit budget as a table.
 */
public final class SensitivityReport {

    /**
     * One unit's row.
     *
     * @param unit the unit's path
     * @param cells its cells, one per ratio in column order
     */
    public record Row(String unit, List<SensitivityCell> cells) {}

    private SensitivityReport() {}

    /**
     * Groups cells into rows.
     *
     * @param units the units, in order
     * @param ratios the ratios, in column order
     * @param cells the cells
     * @return one row per unit
     */
    public static List<Row> rows(List<String> units, List<Double> ratios, List<SensitivityCell> cells) {
        List<Row> rows = new ArrayList<>();
        for (String u : units) {
            List<SensitivityCell> r = new ArrayList<>();
            for (double ratio : ratios) {
                r.add(cells.stream().filter(c -> c.unit().equals(u) && c.ratio() == ratio).findFirst().orElse(null));
            }
            rows.add(new Row(u, r));
        }
        return rows;
    }

    /**
     * Renders the table.
     *
     * @param rows the rows
     * @param ratios the ratios, in column order
     * @param meta caption and notes
     * @param format the format
     * @return the text
     */
    public static String render(List<Row> rows, List<Double> ratios, Tables.Meta meta, TableFormat format) {
        List<Column<Row>> c = new ArrayList<>();
        c.add(Column.of("unit", "Unit", "unit", false, Row::unit, Row::unit));
        for (int i = 0; i < ratios.size(); i++) {
            int k = i;
            String r = f("%.2f", ratios.get(i));
            c.add(Column.of("drop at " + r + " (points)", "Drop at " + r, "drop_pts_at_" + r, true,
                    row -> row.cells().get(k) == null ? "-" : f("%+.2f", row.cells().get(k).drop()),
                    row -> row.cells().get(k) == null ? "" : f("%.4f", row.cells().get(k).drop())));
        }
        for (int i = 0; i < ratios.size(); i++) {
            int k = i;
            c.add(Column.csvOnly("macs_at_" + f("%.2f", ratios.get(i)),
                    row -> row.cells().get(k) == null ? "" : Long.toString(row.cells().get(k).macs())));
        }
        return TableRenderer.render(rows, c, meta, format);
    }

    /**
     * Renders a budget.
     *
     * @param ratios per unit, its ratio
     * @param drops per unit, its measured drop at that ratio (points)
     * @param meta caption and notes
     * @param format the format
     * @return the text
     */
    public static String renderBudget(Map<String, Double> ratios, Map<String, Double> drops, Tables.Meta meta,
            TableFormat format) {
        List<BudgetRow> rows = new ArrayList<>();
        ratios.forEach((u, r) -> rows.add(new BudgetRow(u, r, drops.get(u))));
        List<Column<BudgetRow>> c = List.of(
                Column.of("unit", "Unit", "unit", false, BudgetRow::unit, BudgetRow::unit),
                Column.of("ratio", "Ratio", "ratio", true, b -> f("%.2f", b.ratio()), b -> f("%.4f", b.ratio())),
                Column.of("measured drop alone (points)", "Drop alone", "drop_pts", true,
                        b -> f("%+.2f", b.drop()), b -> f("%.4f", b.drop())));
        return TableRenderer.render(rows, c, meta, format);
    }

    /**
     * One unit of a budget.
     *
     * @param unit the unit
     * @param ratio its ratio
     * @param drop its measured drop alone at that ratio, in points
     */
    public record BudgetRow(String unit, double ratio, double drop) {}

    /**
     * Writes the heat map: units down, ratios across, each cell coloured by its drop.
     *
     * @param rows the rows
     * @param ratios the ratios
     * @param title the chart's title
     * @param file the PNG
     */
    public static void heatMap(List<Row> rows, List<Double> ratios, String title, Path file) {
        System.setProperty("java.awt.headless", "true");
        int n = rows.size() * ratios.size();
        double[][] xyz = new double[3][n];
        double max = 0;
        int k = 0;
        for (int y = 0; y < rows.size(); y++) {
            for (int x = 0; x < ratios.size(); x++) {
                SensitivityCell c = rows.get(y).cells().get(x);
                xyz[0][k] = x;
                xyz[1][k] = rows.size() - 1 - y;
                xyz[2][k] = c == null ? Double.NaN : c.drop();
                max = Math.max(max, c == null ? 0 : c.drop());
                k++;
            }
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("drop", xyz);
        String[] xs = ratios.stream().map(r -> f("%.2f", r)).toArray(String[]::new);
        String[] ys = new String[rows.size()];
        for (int y = 0; y < rows.size(); y++) {
            ys[rows.size() - 1 - y] = rows.get(y).unit();
        }
        SymbolAxis xAxis = new SymbolAxis("ratio kept", xs);
        SymbolAxis yAxis = new SymbolAxis("unit", ys);
        yAxis.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        double top = Math.max(max, 0.5);
        LookupPaintScale scale = new LookupPaintScale(0, top * 1.0001, Color.WHITE);
        int steps = 20;
        for (int i = 0; i < steps; i++) {
            double v = top * i / steps;
            float t = i / (float) (steps - 1);
            scale.add(v, new Color(1f, 1f - 0.85f * t, 1f - 0.95f * t));
        }
        XYBlockRenderer renderer = new XYBlockRenderer();
        renderer.setPaintScale(scale);
        XYPlot plot = new XYPlot(data, xAxis, yAxis, renderer);
        plot.setBackgroundPaint(Color.LIGHT_GRAY);
        for (int i = 0; i < n; i++) {
            if (!Double.isNaN(xyz[2][i])) {
                XYTextAnnotation a = new XYTextAnnotation(f("%+.2f", xyz[2][i]), xyz[0][i], xyz[1][i]);
                a.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
                plot.addAnnotation(a);
            }
        }
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 14), plot, false);
        NumberAxis legendAxis = new NumberAxis("accuracy drop (points; 0 or less is white)");
        legendAxis.setRange(0, top);
        PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setMargin(4, 4, 4, 4);
        chart.addSubtitle(legend);
        chart.setBackgroundPaint(Color.WHITE);
        int height = Math.max(300, 60 + 22 * rows.size());
        try {
            AtomicFiles.write(file, out -> ChartUtils.writeChartAsPNG(out, chart, 800, height));
        } catch (IOException e) {
            throw new CompressionException(file + ": cannot write heat map: " + e.getMessage(), e);
        }
    }

    /**
     * Says what the table shows.
     *
     * @param strategy the strategy id
     * @param baseError the uncompressed error in [0, 1]
     * @param baseMacs the uncompressed MACs
     * @param images the held-out images
     * @param network the network's name
     * @return caption and notes
     */
    public static Tables.Meta meta(String strategy, double baseError, long baseMacs, int images, String network) {
        return new Tables.Meta("Sensitivity of " + network + " to " + strategy + ", one unit at a time", List.of(
                f("Each cell: the top-1 error with that unit alone compressed to the ratio (no fine-tuning) minus the "
                        + "uncompressed network's %.2f%%, on %d held-out training images (never test images); "
                        + "positive is accuracy lost.",
                        100 * baseError, images),
                "Uncompressed: " + CostReport.human(baseMacs) + " MACs. Ratio: for pruning the fraction of channels "
                        + "kept, for low-rank the fraction of the layer's MACs kept."));
    }
}

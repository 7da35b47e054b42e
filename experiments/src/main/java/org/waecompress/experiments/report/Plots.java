package org.waecompress.experiments.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.waecompress.experiments.result.ResultRow;
import org.waecompress.spi.CompressionException;
import org.waecompress.spi.io.AtomicFiles;

/**
 * PNG scatter plots of a run (JFreeChart): top-1 error against measured speed-up, and top-1 error
 * against MACs; without accuracy, measured speed-up against MAC speed-up.
 */
public final class Plots {

    private Plots() {}

    /**
     * Writes the run's plots into {@code dir}.
     *
     * @param rows the rows
     * @param dir the plots folder
     * @return the files written
     */
    public static List<Path> write(List<ResultRow> rows, Path dir) {
        System.setProperty("java.awt.headless", "true");
        boolean acc = rows.stream().allMatch(r -> r.top1Error() != null);
        if (acc) {
            Path a = dir.resolve("accuracy_vs_speedup.png");
            Path b = dir.resolve("macs_vs_error.png");
            save(chart("Top-1 error vs measured CPU speed-up", "measured speed-up (x)", "top-1 error (%)", rows,
                    ResultRow::speedup, r -> 100 * r.top1Error(), false), a);
            save(chart("Top-1 error vs MACs", "MACs per image (log scale)", "top-1 error (%)", rows,
                    r -> (double) r.macs(), r -> 100 * r.top1Error(), true), b);
            return List.of(a, b);
        }
        Path c = dir.resolve("speedup_vs_macs.png");
        save(chart("Measured CPU speed-up vs MAC speed-up", "MAC speed-up (x)", "measured speed-up (x)", rows,
                ResultRow::macSpeedup, ResultRow::speedup, false), c);
        return List.of(c);
    }

    private static JFreeChart chart(String title, String x, String y, List<ResultRow> rows,
            ToDoubleFunction<ResultRow> fx, ToDoubleFunction<ResultRow> fy, boolean logX) {
        XYSeries s = new XYSeries("methods", false, true);
        for (ResultRow r : rows) {
            s.add(fx.applyAsDouble(r), fy.applyAsDouble(r));
        }
        JFreeChart chart = ChartFactory.createScatterPlot(title, x, y, new XYSeriesCollection(s),
                PlotOrientation.VERTICAL, false, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        if (logX) {
            LogAxis axis = new LogAxis(x);
            axis.setSmallestValue(1);
            if (s.getMinX() == s.getMaxX()) {
                // one point (a table with the backbone alone): a log axis cannot range over one value
                axis.setRange(s.getMinX() / 2, s.getMaxX() * 2);
            }
            plot.setDomainAxis(axis);
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(false, true);
        renderer.setSeriesPaint(0, new Color(31, 119, 180));
        renderer.setSeriesStroke(0, new BasicStroke(1.5f));
        plot.setRenderer(renderer);
        for (ResultRow r : rows) {
            XYTextAnnotation a = new XYTextAnnotation(" " + r.label(), fx.applyAsDouble(r), fy.applyAsDouble(r));
            a.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            a.setTextAnchor(TextAnchor.BOTTOM_LEFT);
            plot.addAnnotation(a);
        }
        return chart;
    }

    private static void save(JFreeChart chart, Path file) {
        try {
            AtomicFiles.write(file, out -> ChartUtils.writeChartAsPNG(out, chart, 900, 600));
        } catch (IOException e) {
            throw new CompressionException(file + ": cannot write plot: " + e.getMessage(), e);
        }
    }
}

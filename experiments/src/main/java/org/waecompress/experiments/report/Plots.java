package org.waecompress.experiments.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartRenderingInfo;
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
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.io.AtomicFiles;

/**
 * PNG scatter plots of a run (JFreeChart): top-1 error against measured speed-up, and top-1 error
 * against MACs, each with its Pareto front ({@link Pareto}) drawn as a line through the rows on it
 * and the dominated rows in grey; without accuracy, measured speed-up against MAC speed-up. Every
 * label stays inside the plot area: a label that would run past the right or top edge is put on
 * the other side of its point.
 */
public final class Plots {

    static final int WIDTH = 900;
    static final int HEIGHT = 600;
    static final Font LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    private static final Color FRONT = new Color(31, 119, 180);
    private static final Color DOMINATED = new Color(160, 160, 160);

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
            save(accuracyVsSpeedup(rows), a);
            save(chart("Top-1 error vs MACs", "MACs per image (log scale)", "top-1 error (%)", rows,
                    r -> (double) r.cost().macs(), r -> 100 * r.top1Error(), true, Pareto.front(rows,
                            Pareto.Axis.MACS)), b);
            return List.of(a, b);
        }
        Path c = dir.resolve("speedup_vs_macs.png");
        JFreeChart speed = chart("Measured CPU speed-up vs MAC speed-up", "MAC speed-up (x)", "measured speed-up (x)",
                rows, r -> r.cost().macSpeedup(), ResultRow::speedup, false, null);
        identityLine(speed);
        save(speed, c);
        return List.of(c);
    }

    /**
     * Draws y = x across the plot: a point on it turned every MAC it saved into time, one below it lost
     * some (fixed costs, layouts the runtime does not like, memory-bound layers).
     */
    static void identityLine(JFreeChart chart) {
        XYPlot plot = chart.getXYPlot();
        double hi = Math.max(plot.getDomainAxis().getUpperBound(), plot.getRangeAxis().getUpperBound());
        double lo = Math.min(plot.getDomainAxis().getLowerBound(), plot.getRangeAxis().getLowerBound());
        plot.addAnnotation(new org.jfree.chart.annotations.XYLineAnnotation(lo, lo, hi, hi, new BasicStroke(1f,
                BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] {2f, 3f}, 0f), Color.GRAY));
        XYTextAnnotation note = new XYTextAnnotation("y = x (every MAC saved is time saved) ", hi, hi);
        note.setFont(LABEL_FONT);
        note.setPaint(Color.GRAY);
        note.setTextAnchor(TextAnchor.TOP_RIGHT);
        plot.addAnnotation(note);
    }

    /** The error against measured speed-up chart, with its front. */
    static JFreeChart accuracyVsSpeedup(List<ResultRow> rows) {
        return chart("Top-1 error vs measured CPU speed-up", "measured speed-up (x)", "top-1 error (%)", rows,
                ResultRow::speedup, r -> 100 * r.top1Error(), false, Pareto.front(rows, Pareto.Axis.SPEEDUP));
    }

    /**
     * A scatter chart of the rows; with a front, its rows joined by a line and the others in grey.
     *
     * @param front the ids of the rows on the Pareto front, or null for a chart without one
     */
    private static JFreeChart chart(String title, String x, String y, List<ResultRow> rows,
            ToDoubleFunction<ResultRow> fx, ToDoubleFunction<ResultRow> fy, boolean logX, Set<String> front) {
        XYSeries line = new XYSeries("Pareto front", true, true);
        XYSeries on = new XYSeries(front == null ? "methods" : "on the Pareto front", false, true);
        XYSeries off = new XYSeries("dominated", false, true);
        for (ResultRow r : rows) {
            double px = fx.applyAsDouble(r);
            double py = fy.applyAsDouble(r);
            if (front == null || front.contains(r.id())) {
                on.add(px, py);
                if (front != null) {
                    line.add(px, py);
                }
            } else {
                off.add(px, py);
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(line);
        data.addSeries(on);
        data.addSeries(off);
        JFreeChart chart = ChartFactory.createScatterPlot(title, x, y, data, PlotOrientation.VERTICAL, front != null,
                false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        if (logX) {
            LogAxis axis = new LogAxis(x);
            axis.setSmallestValue(1);
            double min = Math.min(on.isEmpty() ? Double.MAX_VALUE : on.getMinX(),
                    off.isEmpty() ? Double.MAX_VALUE : off.getMinX());
            double max = Math.max(on.isEmpty() ? 0 : on.getMaxX(), off.isEmpty() ? 0 : off.getMaxX());
            if (min == max) {
                // one point (a table with the backbone alone): a log axis cannot range over one value
                axis.setRange(min / 2, max * 2);
            }
            plot.setDomainAxis(axis);
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(false, true);
        renderer.setSeriesLinesVisible(0, true);
        renderer.setSeriesShapesVisible(0, false);
        renderer.setSeriesVisibleInLegend(0, false);
        renderer.setSeriesPaint(0, FRONT);
        renderer.setSeriesStroke(0, new BasicStroke(1f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f,
                new float[] {4f, 4f}, 0f));
        renderer.setSeriesPaint(1, FRONT);
        renderer.setSeriesPaint(2, DOMINATED);
        plot.setRenderer(renderer);
        List<XYTextAnnotation> labels = new ArrayList<>();
        for (ResultRow r : rows) {
            XYTextAnnotation a = new XYTextAnnotation(" " + r.label() + " ", fx.applyAsDouble(r),
                    fy.applyAsDouble(r));
            a.setFont(LABEL_FONT);
            a.setPaint(front == null || front.contains(r.id()) ? Color.BLACK : DOMINATED.darker());
            a.setTextAnchor(TextAnchor.BOTTOM_LEFT);
            labels.add(a);
        }
        keepInside(chart, labels);
        labels.forEach(plot::addAnnotation);
        return chart;
    }

    /**
     * Draws the chart once off screen to learn its plot area and axis ranges, then places each label so
     * that its text stays inside the area and overlaps no label placed before it: beside its point (right
     * and above first, then the other three corners), else moved up or down by whole lines, with a thin
     * leader line back to its point. Points that crowd (eight rows near the same speed-up) keep readable
     * labels.
     */
    private static void keepInside(JFreeChart chart, List<XYTextAnnotation> labels) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            ChartRenderingInfo info = new ChartRenderingInfo();
            chart.draw(g, new Rectangle2D.Double(0, 0, WIDTH, HEIGHT), info);
            Rectangle2D area = info.getPlotInfo().getDataArea();
            XYPlot plot = chart.getXYPlot();
            FontMetrics fm = g.getFontMetrics(LABEL_FONT);
            List<Rectangle2D> placed = new ArrayList<>();
            TextAnchor[] anchors = {TextAnchor.BOTTOM_LEFT, TextAnchor.TOP_LEFT, TextAnchor.BOTTOM_RIGHT,
                TextAnchor.TOP_RIGHT};
            for (XYTextAnnotation a : labels) {
                double px = plot.getDomainAxis().valueToJava2D(a.getX(), area, plot.getDomainAxisEdge());
                double py = plot.getRangeAxis().valueToJava2D(a.getY(), area, plot.getRangeAxisEdge());
                int w = fm.stringWidth(a.getText());
                int h = fm.getHeight();
                Rectangle2D chosen = null;
                TextAnchor anchor = null;
                double at = py;
                search:
                for (int shift = 0; shift <= 12; shift++) {
                    for (int sign : shift == 0 ? new int[] {1} : new int[] {-1, 1}) {
                        double y = py + sign * shift * h;
                        for (TextAnchor t : anchors) {
                            Rectangle2D box = box(t, px, y, w, h);
                            if (area.contains(box) && placed.stream().noneMatch(box::intersects)) {
                                chosen = box;
                                anchor = t;
                                at = y;
                                break search;
                            }
                        }
                    }
                }
                if (chosen == null) {
                    // no free place: beside the point, inside the area
                    boolean left = px + w > area.getMaxX();
                    boolean below = py - h < area.getMinY();
                    anchor = below ? (left ? TextAnchor.TOP_RIGHT : TextAnchor.TOP_LEFT)
                            : (left ? TextAnchor.BOTTOM_RIGHT : TextAnchor.BOTTOM_LEFT);
                    chosen = box(anchor, px, py, w, h);
                }
                a.setTextAnchor(anchor);
                if (at != py) {
                    a.setY(plot.getRangeAxis().java2DToValue(at, area, plot.getRangeAxisEdge()));
                    plot.addAnnotation(new org.jfree.chart.annotations.XYLineAnnotation(a.getX(),
                            plot.getRangeAxis().java2DToValue(py, area, plot.getRangeAxisEdge()), a.getX(), a.getY(),
                            new BasicStroke(0.5f), Color.LIGHT_GRAY));
                }
                placed.add(chosen);
            }
        } finally {
            g.dispose();
        }
    }

    /** The box a label of {@code w x h} pixels covers when anchored at a point by a corner. */
    static Rectangle2D box(TextAnchor anchor, double x, double y, int w, int h) {
        double left = anchor == TextAnchor.BOTTOM_RIGHT || anchor == TextAnchor.TOP_RIGHT ? x - w : x;
        double top = anchor == TextAnchor.BOTTOM_LEFT || anchor == TextAnchor.BOTTOM_RIGHT ? y - h : y;
        return new Rectangle2D.Double(left, top, w, h);
    }

    private static void save(JFreeChart chart, Path file) {
        try {
            AtomicFiles.write(file, out -> ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT));
        } catch (IOException e) {
            throw new CompressionException(file + ": cannot write plot: " + e.getMessage(), e);
        }
    }
}

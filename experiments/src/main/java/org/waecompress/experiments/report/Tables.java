package org.waecompress.experiments.report;

import static org.waecompress.experiments.report.TableRenderer.f;
import static org.waecompress.experiments.report.TableRenderer.range;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.waecompress.experiments.measure.LatencyEngine;
import org.waecompress.experiments.report.TableRenderer.Column;
import org.waecompress.experiments.result.EngineTiming;
import org.waecompress.experiments.result.ResultRow;
import org.waecompress.spi.cost.CostReport;

/**
 * Renders result rows as paper-style comparison tables. Columns appear only when some row has a
 * value for them (no accuracy columns in a speed-only run; the paper's columns only when asked).
 * Numbers are formatted with {@link java.util.Locale#ROOT}, whatever the default locale.
 */
public final class Tables {

    private Tables() {}

    /**
     * A table's caption and notes.
     *
     * @param title the caption
     * @param notes lines explaining what was measured on what
     */
    public record Meta(String title, List<String> notes) {}

    /**
     * Adds a note per composite network (rows with {@link ResultRow#macsByPart}) listing what each
     * top-level part costs (a strategy's own table note says when its paper counts only some of them).
     *
     * @param meta the caption and notes
     * @param rows the rows
     * @return the meta with the part notes appended
     */
    public static Meta withPartNotes(Meta meta, List<ResultRow> rows) {
        List<String> notes = new ArrayList<>(meta.notes());
        for (ResultRow r : rows) {
            if (r.cost().macsByPart() == null || r.cost().macsByPart().isEmpty()) {
                continue;
            }
            StringBuilder b = new StringBuilder("MACs of " + r.label() + " by part: ");
            b.append(r.cost().macsByPart().entrySet().stream()
                    .map(e -> e.getKey() + " " + CostReport.human(e.getValue()))
                    .collect(Collectors.joining(", ")));
            notes.add(b.append('.').toString());
        }
        return new Meta(meta.title(), notes);
    }

    private static List<Column<ResultRow>> columns(List<ResultRow> rows) {
        boolean acc = rows.stream().anyMatch(r -> r.top1Error() != null);
        boolean top5 = rows.stream().anyMatch(r -> r.top5Error() != null);
        boolean paper = rows.stream().anyMatch(r -> paperSpeedup(r) != null || paperTop5(r) != null);
        int lb = rows.isEmpty() ? 1 : rows.get(0).timings().latencyBatch();
        int tb = rows.isEmpty() ? 1 : rows.get(0).timings().throughputBatch();
        List<Column<ResultRow>> c = new ArrayList<>();
        c.add(Column.csvOnly("row", ResultRow::id));
        c.add(Column.csvOnly("network", ResultRow::network));
        c.add(Column.of("method", "Method", "method", false, r -> r.label() + (r.failed() ? " (failed)" : ""),
                ResultRow::label));
        if (acc) {
            c.add(Column.of("top-1 err (%)", "Top-1 err. (\\%)", "top1_err_pct", true,
                    r -> r.top1Error() == null ? "-" : f("%.2f", 100 * r.top1Error()),
                    r -> r.top1Error() == null ? "" : f("%.4f", 100 * r.top1Error())));
        }
        if (top5) {
            c.add(Column.of("top-5 err (%)", "Top-5 err. (\\%)", "top5_err_pct", true,
                    r -> r.top5Error() == null ? "-" : f("%.2f", 100 * r.top5Error()),
                    r -> r.top5Error() == null ? "" : f("%.4f", 100 * r.top5Error())));
        }
        if (rows.stream().anyMatch(r -> r.errors() != null && r.errors().pytorchTop1() != null)) {
            c.add(Column.of("top-1 err PyTorch (%)", "Top-1 err. PyTorch (\\%)", "pytorch_top1_err_pct", true,
                    r -> r.errors() == null || r.errors().pytorchTop1() == null ? "-"
                            : f("%.2f", 100 * r.errors().pytorchTop1()),
                    r -> r.errors() == null || r.errors().pytorchTop1() == null ? ""
                            : f("%.4f", 100 * r.errors().pytorchTop1())));
        }
        c.add(Column.of("MACs", "MACs", "macs", true,
                r -> r.cost().macs() == 0 ? "-" : CostReport.human(r.cost().macs()),
                r -> Long.toString(r.cost().macs())));
        c.add(Column.of("params", "Params", "params", true,
                r -> r.cost().macs() == 0 ? "-" : CostReport.human(r.cost().params()),
                r -> Long.toString(r.cost().params())));
        if (rows.stream().anyMatch(r -> r.cost().quantized())) {
            c.add(Column.of("weights (MB)", "Weights (MB)", "weight_mb", true,
                    r -> r.cost().weightBytes() == null ? "-" : f("%.2f", r.cost().weightBytes() / 1e6),
                    r -> r.cost().weightBytes() == null ? "" : Long.toString(r.cost().weightBytes())));
        }
        List<String> engines = engines(rows);
        for (String e : engines) {
            timingColumns(c, rows, e, lb);
            if (e.equals(engines.get(0))) {
                c.add(Column.of("speed-up (MACs)", "MAC speed-up", "mac_speedup", true,
                        r -> r.cost().macs() == 0 ? "-" : f("%.2fx", r.cost().macSpeedup()),
                        r -> f("%.4f", r.cost().macSpeedup())));
                // where MACs did not become time: the measured speed-up as a share of the MAC speed-up
                c.add(Column.of("measured / MACs", "Measured / MACs", "speedup_efficiency", true,
                        r -> efficiency(r, e) == null ? "-" : f("%.0f%%", 100 * efficiency(r, e))
                                + (r.timings().of(e) != null && r.timings().of(e).fallback() != null ? "*" : ""),
                        r -> efficiency(r, e) == null ? "" : f("%.4f", efficiency(r, e))));
            }
        }
        for (String e : engines) {
            String l = label(e);
            c.add(Column.of(l + " img/s (b" + tb + ")", l + " img/s (b" + tb + ")", e + "_throughput_img_s", true,
                    r -> cell(r, e, t -> f("%.1f", t.throughput())), r -> raw(r, e, t -> f("%.2f", t.throughput()))));
        }
        if (paper) {
            c.add(Column.of("paper top-5 err (%)", "Paper top-5 err. (\\%)", "paper_top5_err_pct", true,
                    r -> paperTop5(r) == null ? "-" : f("%.2f", paperTop5(r)),
                    r -> paperTop5(r) == null ? "" : f("%.2f", paperTop5(r))));
            c.add(Column.of("paper CPU speed-up", "Paper CPU speed-up", "paper_speedup", true,
                    r -> paperSpeedup(r) == null ? "-" : f("%.2fx", paperSpeedup(r)),
                    r -> paperSpeedup(r) == null ? "" : f("%.2f", paperSpeedup(r))));
        }
        if (acc) {
            Set<String> bySpeed = Pareto.front(rows, Pareto.Axis.SPEEDUP);
            Set<String> byMacs = Pareto.front(rows, Pareto.Axis.MACS);
            c.add(Column.of("Pareto", "Pareto", "pareto", false, r -> Pareto.mark(r.id(), bySpeed, byMacs),
                    r -> Pareto.mark(r.id(), bySpeed, byMacs).replace(", ", "+")));
        }
        c.add(Column.csvOnly("test_images", r -> r.errors() == null ? "" : Integer.toString(r.errors().testImages())));
        return c;
    }

    /**
     * A row's measured speed-up on an engine over its MAC speed-up: 1 where every MAC saved became time,
     * below 1 where the runtime gave back less (fixed costs, layouts, memory-bound layers).
     *
     * @return the ratio, or null without a timing or MACs
     */
    static Double efficiency(ResultRow r, String engine) {
        if (r.cost().macs() == 0 || r.failed()) {
            return null;
        }
        EngineTiming t = r.timings().of(engine);
        return t == null || !(t.speedup() > 0) || !Double.isFinite(t.speedup()) ? null
                : t.speedup() / r.cost().macSpeedup();
    }

    /** The engines the rows were timed on, in the rows' order. */
    static List<String> engines(List<ResultRow> rows) {
        List<String> e = new ArrayList<>();
        for (ResultRow r : rows) {
            for (EngineTiming t : r.timings().engines()) {
                if (!e.contains(t.engine())) {
                    e.add(t.engine());
                }
            }
        }
        return e;
    }

    /**
     * Returns an engine's name in table headings.
     *
     * @param engine the engine id
     * @return ORT, PyTorch, or the id
     */
    static String label(String engine) {
        try {
            return LatencyEngine.of(engine).label();
        } catch (IllegalArgumentException e) {
            return engine;
        }
    }

    private static void timingColumns(List<Column<ResultRow>> c, List<ResultRow> rows, String e, int lb) {
        String l = label(e);
        c.add(Column.of(l + " ms (median, b" + lb + ")", l + " ms (med.)", e + "_ms_median", true,
                r -> cell(r, e, t -> f("%.2f", t.medianMs()) + mark(t)), r -> raw(r, e, t -> f("%.4f", t.medianMs()))));
        c.add(Column.of(l + " ms (p90)", l + " ms (p90)", e + "_ms_p90", true,
                r -> cell(r, e, t -> f("%.2f", t.p90Ms()) + mark(t)), r -> raw(r, e, t -> f("%.4f", t.p90Ms()))));
        c.add(Column.of("backbone " + l + " ms (paired)", "Backbone " + l + " ms (paired)", e + "_backbone_ms_paired",
                true, r -> cell(r, e, t -> f("%.2f", t.baselineMs()) + mark(t)),
                r -> raw(r, e, t -> f("%.4f", t.baselineMs()))));
        c.add(Column.of("speed-up (" + l + ")", "Speed-up (" + l + ")", e + "_speedup", true,
                r -> cell(r, e, t -> f("%.2fx", t.speedup()) + mark(t)), r -> raw(r, e, t -> f("%.4f", t.speedup()))));
        if (rows.stream().anyMatch(r -> r.timings().of(e) != null && r.timings().of(e).forkSpeedups() != null
                && !r.timings().of(e).forkSpeedups().isEmpty())) {
            c.add(Column.of("speed-up range (" + l + ")", "Speed-up range (" + l + ")", e + "_speedup_range", true,
                    r -> cell(r, e, t -> range(t.forkSpeedups(), "%.2f-%.2fx", "-")),
                    r -> raw(r, e, t -> range(t.forkSpeedups(), "%.4f-%.4f", ""))));
        }
        c.add(Column.csvOnly(e + "_timed_on", r -> raw(r, e, t -> t.fallback() == null ? e : "pytorch")));
    }

    /** Marks a cell whose numbers come from the PyTorch engine because the network could not run on its column's. */
    private static String mark(EngineTiming t) {
        return t.fallback() == null ? "" : "*";
    }

    private static Double paperTop5(ResultRow r) {
        return r.paper() == null ? null : r.paper().top5Error();
    }

    private static Double paperSpeedup(ResultRow r) {
        return r.paper() == null ? null : r.paper().speedup();
    }

    private static String cell(ResultRow r, String engine, Function<EngineTiming, String> f) {
        EngineTiming t = r.timings().of(engine);
        return t == null ? "-" : f.apply(t);
    }

    private static String raw(ResultRow r, String engine, Function<EngineTiming, String> f) {
        EngineTiming t = r.timings().of(engine);
        return t == null ? "" : f.apply(t);
    }

    /**
     * Adds a note for every row timed on the PyTorch engine in place of another (marked with an
     * asterisk), saying why.
     *
     * @param meta the caption and notes
     * @param rows the rows
     * @return the meta with the notes appended
     */
    public static Meta withFallbackNotes(Meta meta, List<ResultRow> rows) {
        List<String> notes = new ArrayList<>(meta.notes());
        for (ResultRow r : rows) {
            for (EngineTiming t : r.timings().engines()) {
                if (t.fallback() != null) {
                    notes.add("* " + r.label() + ": timed on the PyTorch engine in the " + label(t.engine())
                            + " columns, because " + t.fallback());
                }
            }
        }
        return new Meta(meta.title(), notes);
    }

    /**
     * Adds what a reader must know about int8 rows and the engines accuracy was measured on: where the top-1
     * and top-5 figures come from, the largest difference between ONNX Runtime and the PyTorch engine over the
     * float rows and over the int8 rows when both were measured, and that the PyTorch engine runs an int8
     * network as simulated int8 in float (its time there is not an int8 time).
     *
     * @param meta the caption and notes
     * @param rows the rows
     * @return the meta with the notes appended
     */
    public static Meta withAccuracyNotes(Meta meta, List<ResultRow> rows) {
        List<String> notes = new ArrayList<>(meta.notes());
        boolean deployed = rows.stream().anyMatch(r -> r.errors() != null && r.errors().deployed());
        if (deployed) {
            StringBuilder b = new StringBuilder("Accuracy: top-1/top-5 error of each row's exported file on ONNX "
                    + "Runtime (as it deploys; int8 rows in its int8 kernels)");
            List<String> diffs = new ArrayList<>();
            for (boolean int8 : new boolean[] {false, true}) {
                ResultRow worst = null;
                double most = -1;
                for (ResultRow r : rows) {
                    if (r.errors() != null && r.errors().pytorchTop1() != null && r.cost().quantized() == int8) {
                        double d = Math.abs(r.errors().top1() - r.errors().pytorchTop1());
                        if (d > most) {
                            most = d;
                            worst = r;
                        }
                    }
                }
                if (worst != null) {
                    diffs.add(f("%s rows at most %.2f points (%s)", int8 ? "int8" : "float", 100 * most,
                            worst.label()));
                }
            }
            if (!diffs.isEmpty()) {
                b.append("; 'top-1 err PyTorch' is the PyTorch engine's on the same images (int8 rows: simulated "
                        + "int8 in float); the engines differ in top-1 error by ").append(String.join(", ", diffs));
            }
            notes.add(b.append('.').toString());
            for (ResultRow r : rows) {
                if (r.errors() != null && !r.errors().deployed()) {
                    notes.add(r.label() + ": accuracy on the PyTorch engine, its network has no ONNX file to run.");
                }
            }
        }
        for (ResultRow r : rows) {
            if (r.cost().quantized() && r.cost().floatNodes() != null && !r.cost().floatNodes().isEmpty()) {
                notes.add(r.label() + ": int8 except what stays float: " + String.join(", ", r.cost().floatNodes())
                        + ".");
            }
        }
        boolean int8 = rows.stream().anyMatch(r -> r.cost().quantized());
        if (int8 && engines(rows).contains("pytorch")) {
            notes.add("int8 rows on the PyTorch engine run as simulated int8 in float (each quantization point adds "
                    + "work): their PyTorch times are not int8 times.");
        }
        return new Meta(meta.title(), notes);
    }

    /**
     * Adds a note for every failed row (marked in its method cell), saying why it has no numbers.
     *
     * @param meta the caption and notes
     * @param rows the rows
     * @return the meta with the notes appended
     */
    public static Meta withFailureNotes(Meta meta, List<ResultRow> rows) {
        List<String> notes = new ArrayList<>(meta.notes());
        for (ResultRow r : rows) {
            if (r.failed()) {
                notes.add("Failed: " + r.label() + ": " + r.failure() + ".");
            }
        }
        return new Meta(meta.title(), notes);
    }

    /**
     * Renders a table.
     *
     * @param rows the rows
     * @param meta caption and notes
     * @param format the format
     * @return the text
     */
    public static String render(List<ResultRow> rows, Meta meta, TableFormat format) {
        boolean acc = rows.stream().anyMatch(r -> r.top1Error() != null);
        Meta shown = meta;
        JsonObject extra = new JsonObject();
        if (acc) {
            List<String> notes = new ArrayList<>(meta.notes());
            notes.add(Pareto.note());
            shown = new Meta(meta.title(), notes);
            JsonObject fronts = new JsonObject();
            for (Pareto.Axis axis : Pareto.Axis.values()) {
                JsonArray ids = new JsonArray();
                Pareto.front(rows, axis).forEach(ids::add);
                fronts.add(axis.label(), ids);
            }
            extra.add("pareto", fronts);
        }
        return TableRenderer.render(rows, columns(rows), shown, format, extra);
    }
}

package org.waecompress.experiments.report;

import static org.waecompress.experiments.report.TableRenderer.f;
import static org.waecompress.experiments.report.TableRenderer.range;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.waecompress.experiments.measure.Latency;
import org.waecompress.experiments.report.TableRenderer.Column;
import org.waecompress.experiments.result.ResultRow;
import org.waecompress.spi.cost.CostReport;

/**
 * One table over several runs of the same plan (other seeds, say): per method the number of runs,
 * the mean top-1 error with its sample standard deviation and range, how far behind its own run's
 * backbone it is on average, and the median measured speed-up. Rows are matched by their id; a row
 * whose MACs or strategy settings differ between runs is a different method, which is refused.
 */
public final class RunSummary {

    /**
     * A finished run's rows.
     *
     * @param name how notes name the run (its folder, with its seed when known)
     * @param rows its rows, backbone first
     */
    public record Run(String name, List<ResultRow> rows) {}

    /**
     * One method over the runs.
     *
     * @param row the row id
     * @param label the method's label
     * @param network the network's name
     * @param runs how many runs have this row
     * @param top1Errors the top-1 error of each run that measured it, in percent
     * @param behind per run, this row's top-1 error minus that run's backbone's, in points (empty for
     *     the backbone and where a run has no backbone error)
     * @param top5Errors the top-5 errors, in percent
     * @param macs multiply-accumulates per image (the same in every run)
     * @param params parameters
     * @param speedups the measured speed-up of each run
     * @param macSpeedup backbone MACs over these MACs
     */
    public record Row(String row, String label, String network, int runs, List<Double> top1Errors,
            List<Double> behind, List<Double> top5Errors, long macs, long params, List<Double> speedups,
            double macSpeedup) {

        /**
         * Returns the mean top-1 error in percent.
         *
         * @return the mean, or null when no run measured it
         */
        public Double top1Mean() {
            return mean(top1Errors);
        }

        /**
         * Returns the sample standard deviation (n - 1) of the top-1 error in points.
         *
         * @return the deviation, or null with fewer than two values
         */
        public Double top1Sd() {
            if (top1Errors.size() < 2) {
                return null;
            }
            double m = mean(top1Errors);
            double ss = top1Errors.stream().mapToDouble(v -> (v - m) * (v - m)).sum();
            return Math.sqrt(ss / (top1Errors.size() - 1));
        }

        /**
         * Returns the mean distance to the runs' backbones in points.
         *
         * @return the mean, or null when there is none
         */
        public Double behindMean() {
            return mean(behind);
        }

        /**
         * Returns the median of the runs' measured speed-ups.
         *
         * @return the median
         */
        public double speedupMedian() {
            return Latency.median(speedups.stream().mapToDouble(Double::doubleValue).toArray());
        }
    }

    private RunSummary() {}

    private static Double mean(List<Double> v) {
        return v.isEmpty() ? null : v.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    /**
     * Groups the runs' rows by id, in the order they first appear.
     *
     * @param runs the runs
     * @return one row per method
     * @throws IllegalArgumentException if a row's MACs or settings differ between two runs
     */
    public static List<Row> of(List<Run> runs) {
        Map<String, List<Sample>> byId = new LinkedHashMap<>();
        for (Run run : runs) {
            Double base = run.rows().stream().filter(r -> r.strategy() == null && r.top1Error() != null)
                    .map(ResultRow::top1Error).findFirst().orElse(null);
            for (ResultRow r : run.rows()) {
                List<Sample> same = byId.computeIfAbsent(r.id(), k -> new ArrayList<>());
                ResultRow seen = same.isEmpty() ? null : same.get(0).row();
                if (seen != null && seen.cost().macs() != r.cost().macs()) {
                    throw new IllegalArgumentException("row '" + r.id() + "' has "
                            + CostReport.human(seen.cost().macs()) + " MACs in " + same.get(0).run() + " but "
                            + CostReport.human(r.cost().macs()) + " in " + run.name() + "; summarise runs of one plan "
                            + "(same backbone, width and input)");
                }
                if (seen != null && !seen.provenance().settings().equals(r.provenance().settings())) {
                    throw new IllegalArgumentException("row '" + r.id() + "' has other settings in " + run.name()
                            + " than in " + same.get(0).run() + " (" + firstDifference(seen.provenance().settings(),
                            r.provenance().settings()) + "); summarise runs of one plan");
                }
                same.add(new Sample(run.name(), r, r.strategy() == null ? null : base));
            }
        }
        List<Row> out = new ArrayList<>();
        for (List<Sample> same : byId.values()) {
            ResultRow first = same.get(0).row();
            List<Double> top1 = new ArrayList<>();
            List<Double> behind = new ArrayList<>();
            List<Double> top5 = new ArrayList<>();
            for (Sample x : same) {
                ResultRow r = x.row();
                if (r.top1Error() != null) {
                    top1.add(100 * r.top1Error());
                    if (x.backboneError() != null) {
                        behind.add(100 * (r.top1Error() - x.backboneError()));
                    }
                }
                if (r.top5Error() != null) {
                    top5.add(100 * r.top5Error());
                }
            }
            out.add(new Row(first.id(), first.label(), first.network(), same.size(), top1, behind, top5,
                    first.cost().macs(), first.cost().params(), same.stream().map(x -> x.row().speedup()).toList(),
                    first.cost().macSpeedup()));
        }
        return out;
    }

    /** Names the first key whose value differs between two settings maps ("default" where one lacks it). */
    private static String firstDifference(Map<String, String> a, Map<String, String> b) {
        TreeSet<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        for (String k : keys) {
            if (!Objects.equals(a.get(k), b.get(k))) {
                return k + " " + a.getOrDefault(k, "default") + " against " + b.getOrDefault(k, "default");
            }
        }
        return "none";
    }

    /** A row of one run, with that run's backbone error (null for the backbone itself or when unmeasured). */
    private record Sample(String run, ResultRow row, Double backboneError) {}

    /**
     * Returns the caption and notes of a summary.
     *
     * @param title the first run's caption
     * @param runNames the runs, in order
     * @return the meta
     */
    public static Tables.Meta meta(String title, List<String> runNames) {
        return new Tables.Meta(title + " (" + runNames.size() + " runs)", List.of(
                "Runs: " + String.join(", ", runNames) + ".",
                "top-1 err: mean over the runs that measured it; sd: sample standard deviation (n - 1); range: "
                        + "lowest and highest; behind backbone: mean over the runs of the row's error minus its "
                        + "own run's backbone error, in points; speed-up (measured): median over the runs. Each "
                        + "run's own table (table.md in its folder) says how it was measured."));
    }

    /**
     * Renders a summary.
     *
     * @param rows the rows
     * @param meta caption and notes
     * @param format the format
     * @return the text
     */
    public static String render(List<Row> rows, Tables.Meta meta, TableFormat format) {
        boolean acc = rows.stream().anyMatch(r -> !r.top1Errors().isEmpty());
        if (!acc) {
            return TableRenderer.render(rows, columns(rows), meta, format);
        }
        List<String> notes = new ArrayList<>(meta.notes());
        notes.add(Pareto.note().replace("top-1 error", "mean top-1 error").replace("measured speed-up",
                "median measured speed-up"));
        JsonObject fronts = new JsonObject();
        fronts.add(Pareto.Axis.SPEEDUP.label(), ids(front(rows, Pareto.Axis.SPEEDUP)));
        fronts.add(Pareto.Axis.MACS.label(), ids(front(rows, Pareto.Axis.MACS)));
        JsonObject extra = new JsonObject();
        extra.add("pareto", fronts);
        return TableRenderer.render(rows, columns(rows), new Tables.Meta(meta.title(), notes), format, extra);
    }

    /** The front over the runs: mean top-1 error against the median speed-up, or against MACs. */
    static Set<String> front(List<Row> rows, Pareto.Axis axis) {
        List<Row> eligible = rows.stream().filter(r -> !r.top1Errors().isEmpty()).toList();
        return Pareto.front(eligible, Row::top1Mean,
                axis == Pareto.Axis.SPEEDUP ? Row::speedupMedian : r -> -(double) r.macs(), Row::row);
    }

    private static JsonArray ids(Set<String> ids) {
        JsonArray a = new JsonArray();
        ids.forEach(a::add);
        return a;
    }

    private static String num(Double v, String fmt) {
        return v == null ? "-" : f(fmt, v);
    }

    private static String raw(Double v) {
        return v == null ? "" : f("%.4f", v);
    }

    private static List<Column<Row>> columns(List<Row> rows) {
        boolean acc = rows.stream().anyMatch(r -> !r.top1Errors().isEmpty());
        boolean top5 = rows.stream().anyMatch(r -> !r.top5Errors().isEmpty());
        List<Column<Row>> c = new ArrayList<>();
        c.add(Column.csvOnly("row", Row::row));
        c.add(Column.csvOnly("network", Row::network));
        c.add(Column.of("method", "Method", "method", false, Row::label, Row::label));
        c.add(Column.of("runs", "Runs", "runs", true, r -> Integer.toString(r.runs()),
                r -> Integer.toString(r.runs())));
        if (acc) {
            c.add(Column.of("top-1 err (%)", "Top-1 err. (\\%)", "top1_err_pct_mean", true,
                    r -> num(r.top1Mean(), "%.2f"), r -> raw(r.top1Mean())));
            c.add(Column.of("sd", "sd", "top1_err_pct_sd", true, r -> num(r.top1Sd(), "%.2f"),
                    r -> raw(r.top1Sd())));
            c.add(Column.of("range", "Range", "top1_err_pct_range", true,
                    r -> range(r.top1Errors(), "%.2f-%.2f", "-"), r -> range(r.top1Errors(), "%.4f-%.4f", "")));
            c.add(Column.of("behind backbone (points)", "Behind backbone (points)", "behind_backbone_points", true,
                    r -> num(r.behindMean(), "%+.2f"), r -> raw(r.behindMean())));
        }
        if (top5) {
            c.add(Column.of("top-5 err (%)", "Top-5 err. (\\%)", "top5_err_pct_mean", true,
                    r -> num(mean(r.top5Errors()), "%.2f"), r -> raw(mean(r.top5Errors()))));
        }
        c.add(Column.of("MACs", "MACs", "macs", true, r -> CostReport.human(r.macs()), r -> Long.toString(r.macs())));
        c.add(Column.of("params", "Params", "params", true, r -> CostReport.human(r.params()),
                r -> Long.toString(r.params())));
        c.add(Column.of("speed-up (measured, median)", "Speed-up (median)", "speedup_median", true,
                r -> f("%.2fx", r.speedupMedian()), r -> f("%.4f", r.speedupMedian())));
        c.add(Column.of("speed-up (MACs)", "MAC speed-up", "mac_speedup", true, r -> f("%.2fx", r.macSpeedup()),
                r -> f("%.4f", r.macSpeedup())));
        if (acc) {
            Set<String> bySpeed = front(rows, Pareto.Axis.SPEEDUP);
            Set<String> byMacs = front(rows, Pareto.Axis.MACS);
            c.add(Column.of("Pareto", "Pareto", "pareto", false, r -> Pareto.mark(r.row(), bySpeed, byMacs),
                    r -> Pareto.mark(r.row(), bySpeed, byMacs).replace(", ", "+")));
        }
        return c;
    }
}

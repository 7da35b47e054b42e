package org.waecompress.experiments.report;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.waecompress.experiments.harness.ResultRow;
import org.waecompress.spi.cost.CostReport;

/**
 * Renders result rows as paper-style comparison tables. Columns appear only when some row has a
 * value for them (no accuracy columns in a speed-only run; the paper's columns only when asked).
 * Numbers are formatted with {@link Locale#ROOT}, whatever the default locale.
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
     * top-level part costs, and the total without an {@code encoder} part when there is one: the WAE
     * paper's 4.11 G MACs for WAE-VGG16 leaves its 0.26 G encoder out, the MACs column counts it.
     *
     * @param meta the caption and notes
     * @param rows the rows
     * @return the meta with the part notes appended
     */
    public static Meta withPartNotes(Meta meta, List<ResultRow> rows) {
        List<String> notes = new ArrayList<>(meta.notes());
        for (ResultRow r : rows) {
            if (r.macsByPart() == null || r.macsByPart().isEmpty()) {
                continue;
            }
            StringBuilder b = new StringBuilder("MACs of " + r.label() + " by part: ");
            b.append(r.macsByPart().entrySet().stream().map(e -> e.getKey() + " " + CostReport.human(e.getValue()))
                    .collect(Collectors.joining(", ")));
            Long enc = r.macsByPart().get("encoder");
            if (enc != null) {
                b.append("; ").append(CostReport.human(r.macs() - enc)).append(" without the encoder");
            }
            notes.add(b.append('.').toString());
        }
        return new Meta(meta.title(), notes);
    }

    private record Column(String title, String latex, String csv, boolean numeric, Function<ResultRow, String> human,
            Function<ResultRow, String> raw) {}

    private static String f(String fmt, Object... v) {
        return String.format(Locale.ROOT, fmt, v);
    }

    /** The lowest and highest speed-up of a row's forks, or {@code none} when it has none. */
    private static String range(ResultRow r, String fmt, String none) {
        if (r.forkSpeedups() == null || r.forkSpeedups().isEmpty()) {
            return none;
        }
        DoubleSummaryStatistics st = r.forkSpeedups().stream().mapToDouble(Double::doubleValue).summaryStatistics();
        return f(fmt, st.getMin(), st.getMax());
    }

    private static List<Column> columns(List<ResultRow> rows) {
        boolean acc = rows.stream().anyMatch(r -> r.top1Error() != null);
        boolean top5 = rows.stream().anyMatch(r -> r.top5Error() != null);
        boolean paper = rows.stream().anyMatch(r -> r.paperSpeedup() != null || r.paperTop5Error() != null);
        int lb = rows.isEmpty() ? 1 : rows.get(0).latencyBatch();
        int tb = rows.isEmpty() ? 1 : rows.get(0).throughputBatch();
        List<Column> c = new ArrayList<>();
        c.add(new Column("method", "Method", "method", false, ResultRow::label, ResultRow::label));
        if (acc) {
            c.add(new Column("top-1 err (%)", "Top-1 err. (\\%)", "top1_err_pct", true,
                    r -> r.top1Error() == null ? "-" : f("%.2f", 100 * r.top1Error()),
                    r -> r.top1Error() == null ? "" : f("%.4f", 100 * r.top1Error())));
        }
        if (top5) {
            c.add(new Column("top-5 err (%)", "Top-5 err. (\\%)", "top5_err_pct", true,
                    r -> r.top5Error() == null ? "-" : f("%.2f", 100 * r.top5Error()),
                    r -> r.top5Error() == null ? "" : f("%.4f", 100 * r.top5Error())));
        }
        c.add(new Column("MACs", "MACs", "macs", true, r -> CostReport.human(r.macs()), r -> Long.toString(r.macs())));
        c.add(new Column("params", "Params", "params", true, r -> CostReport.human(r.params()),
                r -> Long.toString(r.params())));
        c.add(new Column("CPU ms (median, b" + lb + ")", "CPU ms (med.)", "cpu_ms_median", true,
                r -> f("%.2f", r.latencyMs()), r -> f("%.4f", r.latencyMs())));
        c.add(new Column("CPU ms (p90)", "CPU ms (p90)", "cpu_ms_p90", true, r -> f("%.2f", r.latencyP90Ms()),
                r -> f("%.4f", r.latencyP90Ms())));
        c.add(new Column("backbone ms (paired)", "Backbone ms (paired)", "backbone_ms_paired", true,
                r -> f("%.2f", r.baselineLatencyMs()), r -> f("%.4f", r.baselineLatencyMs())));
        c.add(new Column("speed-up (measured)", "Speed-up", "speedup", true, r -> f("%.2fx", r.speedup()),
                r -> f("%.4f", r.speedup())));
        if (rows.stream().anyMatch(r -> r.forkSpeedups() != null && !r.forkSpeedups().isEmpty())) {
            c.add(new Column("speed-up range", "Speed-up range", "speedup_range", true,
                    r -> range(r, "%.2f-%.2fx", "-"), r -> range(r, "%.4f-%.4f", "")));
        }
        c.add(new Column("speed-up (MACs)", "MAC speed-up", "mac_speedup", true, r -> f("%.2fx", r.macSpeedup()),
                r -> f("%.4f", r.macSpeedup())));
        c.add(new Column("img/s (b" + tb + ")", "img/s (b" + tb + ")", "throughput_img_s", true,
                r -> f("%.1f", r.throughput()), r -> f("%.2f", r.throughput())));
        if (paper) {
            c.add(new Column("paper top-5 err (%)", "Paper top-5 err. (\\%)", "paper_top5_err_pct", true,
                    r -> r.paperTop5Error() == null ? "-" : f("%.2f", r.paperTop5Error()),
                    r -> r.paperTop5Error() == null ? "" : f("%.2f", r.paperTop5Error())));
            c.add(new Column("paper CPU speed-up", "Paper CPU speed-up", "paper_speedup", true,
                    r -> r.paperSpeedup() == null ? "-" : f("%.2fx", r.paperSpeedup()),
                    r -> r.paperSpeedup() == null ? "" : f("%.2f", r.paperSpeedup())));
        }
        return c;
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
        return switch (format) {
            case MD -> markdown(rows, meta);
            case TEX -> latex(rows, meta);
            case CSV -> csv(rows);
            case JSON -> json(rows, meta);
        };
    }

    private static String markdown(List<ResultRow> rows, Meta meta) {
        List<Column> cols = columns(rows);
        boolean[] right = new boolean[cols.size()];
        for (int i = 0; i < right.length; i++) {
            right[i] = cols.get(i).numeric();
        }
        TextTable t = new TextTable(cols.stream().map(Column::title).toList(), right);
        for (ResultRow r : rows) {
            t.row(cols.stream().map(c -> c.human().apply(r)).toList());
        }
        StringBuilder sb = new StringBuilder("**").append(meta.title()).append("**\n\n").append(t.toMarkdown());
        if (!meta.notes().isEmpty()) {
            sb.append('\n');
            for (String n : meta.notes()) {
                sb.append("- ").append(n).append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * Escapes text for LaTeX.
     *
     * @param s the text
     * @return the escaped text
     */
    static String tex(String s) {
        StringBuilder sb = new StringBuilder();
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '_', '%', '&', '#', '{', '}', '$' -> sb.append('\\').append(ch);
                case '~' -> sb.append("\\textasciitilde{}");
                case '^' -> sb.append("\\textasciicircum{}");
                case '\\' -> sb.append("\\textbackslash{}");
                default -> sb.append(ch);
            }
        }
        return sb.toString();
    }

    private static String latex(List<ResultRow> rows, Meta meta) {
        List<Column> cols = columns(rows);
        StringBuilder sb = new StringBuilder();
        sb.append("% requires \\usepackage{booktabs}\n\\begin{table}[t]\n\\centering\n\\caption{")
                .append(tex(meta.title())).append("}\n\\begin{tabular}{");
        for (Column c : cols) {
            sb.append(c.numeric() ? 'r' : 'l');
        }
        sb.append("}\n\\toprule\n");
        sb.append(String.join(" & ", cols.stream().map(Column::latex).toList())).append(" \\\\\n\\midrule\n");
        for (ResultRow r : rows) {
            sb.append(String.join(" & ", cols.stream().map(c -> texCell(c, r)).toList())).append(" \\\\\n");
        }
        sb.append("\\bottomrule\n\\end{tabular}\n");
        for (String n : meta.notes()) {
            sb.append("% ").append(n.replace("\n", " ")).append('\n');
        }
        sb.append("\\end{table}\n");
        return sb.toString();
    }

    private static String texCell(Column c, ResultRow r) {
        String v = tex(c.human().apply(r));
        if (v.equals("-")) {
            return "--";
        }
        if (c.numeric() && v.endsWith("x")) {
            return v.substring(0, v.length() - 1) + "$\\times$";
        }
        return v;
    }

    private static String csv(List<ResultRow> rows) {
        List<Column> cols = columns(rows);
        StringBuilder sb = new StringBuilder();
        List<String> head = new ArrayList<>(List.of("row", "network"));
        head.addAll(cols.stream().map(Column::csv).toList());
        head.add("test_images");
        sb.append(String.join(",", head)).append('\n');
        for (ResultRow r : rows) {
            List<String> cells = new ArrayList<>(List.of(r.row(), r.network()));
            cells.addAll(cols.stream().map(c -> c.raw().apply(r)).toList());
            cells.add(r.testImages() == null ? "" : Integer.toString(r.testImages()));
            sb.append(String.join(",", cells.stream().map(Tables::csvCell).toList())).append('\n');
        }
        return sb.toString();
    }

    private static String csvCell(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }

    private static String json(List<ResultRow> rows, Meta meta) {
        var gson = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeSpecialFloatingPointValues().create();
        JsonObject o = new JsonObject();
        o.addProperty("title", meta.title());
        o.add("notes", gson.toJsonTree(meta.notes()));
        o.add("rows", gson.toJsonTree(rows));
        return gson.toJson(o) + "\n";
    }
}

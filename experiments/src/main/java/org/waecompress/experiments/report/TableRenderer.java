package org.waecompress.experiments.report;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Renders rows of any kind as Markdown, LaTeX (booktabs), CSV or JSON through a list of columns:
 * the per-run comparison table ({@link Tables}) and the table over several runs ({@link RunSummary})
 * share it, so they print alike.
 */
final class TableRenderer {

    /**
     * A column.
     *
     * @param title its Markdown heading
     * @param latex its LaTeX heading
     * @param csv its CSV heading
     * @param numeric whether it is right-aligned
     * @param human the cell as people read it ("-" when there is no value)
     * @param raw the cell in CSV (full precision, empty when there is no value)
     * @param csvOnly whether only the CSV has it (ids that tables for people leave out)
     * @param <T> the row type
     */
    record Column<T>(String title, String latex, String csv, boolean numeric, Function<T, String> human,
            Function<T, String> raw, boolean csvOnly) {

        static <T> Column<T> of(String title, String latex, String csv, boolean numeric, Function<T, String> human,
                Function<T, String> raw) {
            return new Column<>(title, latex, csv, numeric, human, raw, false);
        }

        static <T> Column<T> csvOnly(String csv, Function<T, String> raw) {
            return new Column<>(csv, csv, csv, false, raw, raw, true);
        }
    }

    private TableRenderer() {}

    /** Formats numbers with {@link Locale#ROOT}, whatever the default locale. */
    static String f(String fmt, Object... v) {
        return String.format(Locale.ROOT, fmt, v);
    }

    /**
     * Formats the lowest and highest of some values.
     *
     * @param v the values (null or empty: none)
     * @param fmt a format with two number fields
     * @param none the text when there are no values
     * @return the text
     */
    static String range(List<Double> v, String fmt, String none) {
        if (v == null || v.isEmpty()) {
            return none;
        }
        DoubleSummaryStatistics st = v.stream().mapToDouble(Double::doubleValue).summaryStatistics();
        return f(fmt, st.getMin(), st.getMax());
    }

    static <T> String render(List<T> rows, List<Column<T>> columns, Tables.Meta meta, TableFormat format) {
        return render(rows, columns, meta, format, new JsonObject());
    }

    /**
     * Renders rows, the JSON form with more top-level members than title, notes and rows.
     *
     * @param extra members added to the JSON object (the Pareto fronts)
     */
    static <T> String render(List<T> rows, List<Column<T>> columns, Tables.Meta meta, TableFormat format,
            JsonObject extra) {
        return switch (format) {
            case MD -> markdown(rows, shown(columns), meta);
            case TEX -> latex(rows, shown(columns), meta);
            case CSV -> csv(rows, columns);
            case JSON -> json(rows, meta, extra);
        };
    }

    private static <T> List<Column<T>> shown(List<Column<T>> columns) {
        return columns.stream().filter(c -> !c.csvOnly()).toList();
    }

    private static <T> String markdown(List<T> rows, List<Column<T>> cols, Tables.Meta meta) {
        boolean[] right = new boolean[cols.size()];
        for (int i = 0; i < right.length; i++) {
            right[i] = cols.get(i).numeric();
        }
        TextTable t = new TextTable(cols.stream().map(Column::title).toList(), right);
        for (T r : rows) {
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
                case '\u00b1' -> sb.append("$\\pm$");
                default -> sb.append(ch);
            }
        }
        return sb.toString();
    }

    private static <T> String latex(List<T> rows, List<Column<T>> cols, Tables.Meta meta) {
        StringBuilder sb = new StringBuilder();
        sb.append("% requires \\usepackage{booktabs}\n\\begin{table}[t]\n\\centering\n\\caption{")
                .append(tex(meta.title())).append("}\n\\begin{tabular}{");
        for (Column<T> c : cols) {
            sb.append(c.numeric() ? 'r' : 'l');
        }
        sb.append("}\n\\toprule\n");
        sb.append(String.join(" & ", cols.stream().map(Column::latex).toList())).append(" \\\\\n\\midrule\n");
        for (T r : rows) {
            sb.append(String.join(" & ", cols.stream().map(c -> texCell(c, r)).toList())).append(" \\\\\n");
        }
        sb.append("\\bottomrule\n\\end{tabular}\n");
        for (String n : meta.notes()) {
            sb.append("% ").append(n.replace("\n", " ")).append('\n');
        }
        sb.append("\\end{table}\n");
        return sb.toString();
    }

    private static <T> String texCell(Column<T> c, T r) {
        String v = tex(c.human().apply(r));
        if (v.equals("-")) {
            return "--";
        }
        if (c.numeric() && v.endsWith("x")) {
            return v.substring(0, v.length() - 1) + "$\\times$";
        }
        return v;
    }

    private static <T> String csv(List<T> rows, List<Column<T>> cols) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.join(",", cols.stream().map(Column::csv).toList())).append('\n');
        for (T r : rows) {
            List<String> cells = new ArrayList<>();
            for (Column<T> c : cols) {
                cells.add(csvCell(c.raw().apply(r)));
            }
            sb.append(String.join(",", cells)).append('\n');
        }
        return sb.toString();
    }

    private static String csvCell(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }

    private static <T> String json(List<T> rows, Tables.Meta meta, JsonObject extra) {
        var gson = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeSpecialFloatingPointValues()
                .create();
        JsonObject o = new JsonObject();
        o.addProperty("title", meta.title());
        o.add("notes", gson.toJsonTree(meta.notes()));
        o.add("rows", gson.toJsonTree(rows));
        extra.entrySet().forEach(e -> o.add(e.getKey(), e.getValue()));
        return gson.toJson(o) + "\n";
    }
}

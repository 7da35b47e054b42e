package org.waecompress.experiments.report;

import static org.waecompress.experiments.report.TableRenderer.f;
import static org.waecompress.experiments.report.TableRenderer.range;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.waecompress.experiments.harness.ResultRow;
import org.waecompress.experiments.report.TableRenderer.Column;
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

    private static List<Column<ResultRow>> columns(List<ResultRow> rows) {
        boolean acc = rows.stream().anyMatch(r -> r.top1Error() != null);
        boolean top5 = rows.stream().anyMatch(r -> r.top5Error() != null);
        boolean paper = rows.stream().anyMatch(r -> r.paperSpeedup() != null || r.paperTop5Error() != null);
        int lb = rows.isEmpty() ? 1 : rows.get(0).latencyBatch();
        int tb = rows.isEmpty() ? 1 : rows.get(0).throughputBatch();
        List<Column<ResultRow>> c = new ArrayList<>();
        c.add(Column.csvOnly("row", ResultRow::row));
        c.add(Column.csvOnly("network", ResultRow::network));
        c.add(Column.of("method", "Method", "method", false, ResultRow::label, ResultRow::label));
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
        c.add(Column.of("MACs", "MACs", "macs", true, r -> CostReport.human(r.macs()), r -> Long.toString(r.macs())));
        c.add(Column.of("params", "Params", "params", true, r -> CostReport.human(r.params()),
                r -> Long.toString(r.params())));
        c.add(Column.of("CPU ms (median, b" + lb + ")", "CPU ms (med.)", "cpu_ms_median", true,
                r -> f("%.2f", r.latencyMs()), r -> f("%.4f", r.latencyMs())));
        c.add(Column.of("CPU ms (p90)", "CPU ms (p90)", "cpu_ms_p90", true, r -> f("%.2f", r.latencyP90Ms()),
                r -> f("%.4f", r.latencyP90Ms())));
        c.add(Column.of("backbone ms (paired)", "Backbone ms (paired)", "backbone_ms_paired", true,
                r -> f("%.2f", r.baselineLatencyMs()), r -> f("%.4f", r.baselineLatencyMs())));
        c.add(Column.of("speed-up (measured)", "Speed-up", "speedup", true, r -> f("%.2fx", r.speedup()),
                r -> f("%.4f", r.speedup())));
        if (rows.stream().anyMatch(r -> r.forkSpeedups() != null && !r.forkSpeedups().isEmpty())) {
            c.add(Column.of("speed-up range", "Speed-up range", "speedup_range", true,
                    r -> range(r.forkSpeedups(), "%.2f-%.2fx", "-"), r -> range(r.forkSpeedups(), "%.4f-%.4f", "")));
        }
        c.add(Column.of("speed-up (MACs)", "MAC speed-up", "mac_speedup", true, r -> f("%.2fx", r.macSpeedup()),
                r -> f("%.4f", r.macSpeedup())));
        c.add(Column.of("img/s (b" + tb + ")", "img/s (b" + tb + ")", "throughput_img_s", true,
                r -> f("%.1f", r.throughput()), r -> f("%.2f", r.throughput())));
        if (paper) {
            c.add(Column.of("paper top-5 err (%)", "Paper top-5 err. (\\%)", "paper_top5_err_pct", true,
                    r -> r.paperTop5Error() == null ? "-" : f("%.2f", r.paperTop5Error()),
                    r -> r.paperTop5Error() == null ? "" : f("%.2f", r.paperTop5Error())));
            c.add(Column.of("paper CPU speed-up", "Paper CPU speed-up", "paper_speedup", true,
                    r -> r.paperSpeedup() == null ? "-" : f("%.2fx", r.paperSpeedup()),
                    r -> r.paperSpeedup() == null ? "" : f("%.2f", r.paperSpeedup())));
        }
        c.add(Column.csvOnly("test_images", r -> r.testImages() == null ? "" : Integer.toString(r.testImages())));
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
        return TableRenderer.render(rows, columns(rows), meta, format);
    }
}

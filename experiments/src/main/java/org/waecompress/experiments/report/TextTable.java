package org.waecompress.experiments.report;

import java.util.ArrayList;
import java.util.List;

/** A Markdown table with padded columns, for terminals and {@code .md} files. */
public final class TextTable {

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();
    private final boolean[] rightAlign;

    /**
     * Creates a table.
     *
     * @param header the column titles
     * @param rightAlign which columns hold numbers (right-aligned)
     */
    public TextTable(List<String> header, boolean... rightAlign) {
        this.header = List.copyOf(header);
        this.rightAlign = rightAlign.length == header.size() ? rightAlign.clone() : new boolean[header.size()];
    }

    /**
     * Adds a row.
     *
     * @param cells one cell per column
     * @return this table
     */
    public TextTable row(List<String> cells) {
        if (cells.size() != header.size()) {
            throw new IllegalArgumentException("row has " + cells.size() + " cells, table has " + header.size());
        }
        rows.add(List.copyOf(cells));
        return this;
    }

    /**
     * Renders the table as Markdown.
     *
     * @return the text, ending in a newline
     */
    public String toMarkdown() {
        int[] w = new int[header.size()];
        for (int c = 0; c < w.length; c++) {
            w[c] = Math.max(3, header.get(c).length());
            for (List<String> r : rows) {
                w[c] = Math.max(w[c], r.get(c).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, header, w);
        sb.append('|');
        for (int c = 0; c < w.length; c++) {
            sb.append(' ').append(rightAlign[c] ? "-".repeat(w[c] - 1) + ":" : "-".repeat(w[c])).append(" |");
        }
        sb.append('\n');
        for (List<String> r : rows) {
            line(sb, r, w);
        }
        return sb.toString();
    }

    private void line(StringBuilder sb, List<String> cells, int[] w) {
        sb.append('|');
        for (int c = 0; c < w.length; c++) {
            String v = cells.get(c);
            String pad = " ".repeat(w[c] - v.length());
            sb.append(' ').append(rightAlign[c] ? pad + v : v + pad).append(" |");
        }
        sb.append('\n');
    }
}

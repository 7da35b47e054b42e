package org.waecompress.experiments.report;

import java.util.Locale;
import org.waecompress.experiments.config.BadInputException;

/** The formats a comparison table is written in. */
public enum TableFormat {
    /** Markdown (also what the terminal shows). */
    MD("table.md"),
    /** LaTeX with booktabs rules. */
    TEX("table.tex"),
    /** Comma-separated raw numbers. */
    CSV("table.csv"),
    /** The rows and notes as JSON. */
    JSON("table.json");

    private final String fileName;

    TableFormat(String fileName) {
        this.fileName = fileName;
    }

    /**
     * Returns the file name in a run folder.
     *
     * @return the name
     */
    public String fileName() {
        return fileName;
    }

    /**
     * Parses a format name.
     *
     * @param s md, tex, csv or json
     * @return the format
     */
    public static TableFormat parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--format " + s + ": expected md, tex, csv or json");
        }
    }
}

package org.waecompress.experiments.report;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.waecompress.experiments.result.ResultRow;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.io.AtomicFiles;

/**
 * A run folder's reports, written from its results: the table in every format, its caption and notes
 * ({@code table-meta.json}, which {@code waec table} reads back) and the plots. The harness returns rows
 * and notes; this class alone turns them into files.
 */
public final class RunReport {

    private RunReport() {}

    /**
     * Writes the tables, their meta and the plots of a run.
     *
     * @param dir the run folder
     * @param rows the rows, backbone first
     * @param meta caption and notes
     * @return the Markdown table, as printed
     */
    public static String write(Path dir, List<ResultRow> rows, Tables.Meta meta) {
        writeMeta(dir, meta);
        String md = writeTables(rows, meta, dir);
        Plots.write(rows.stream().filter(r -> !r.failed()).toList(), dir.resolve("plots"));
        return md;
    }

    /**
     * Writes every table format and returns the Markdown one.
     *
     * @param rows the rows
     * @param meta caption and notes
     * @param dir the run folder
     * @return the Markdown text
     */
    public static String writeTables(List<ResultRow> rows, Tables.Meta meta, Path dir) {
        String md = null;
        for (TableFormat f : TableFormat.values()) {
            String text = Tables.render(rows, meta, f);
            write(dir.resolve(f.fileName()), text);
            if (f == TableFormat.MD) {
                md = text;
            }
        }
        return md;
    }

    static void writeMeta(Path dir, Tables.Meta meta) {
        write(dir.resolve("table-meta.json"), new GsonBuilder().setPrettyPrinting().create().toJson(meta) + "\n");
    }

    /**
     * Reads a run folder's table caption and notes.
     *
     * @param dir the run folder
     * @return the meta, or a plain one if the file is missing
     */
    public static Tables.Meta readMeta(Path dir) {
        Path f = dir.resolve("table-meta.json");
        try {
            return new Gson().fromJson(Files.readString(f), Tables.Meta.class);
        } catch (IOException | RuntimeException e) {
            return new Tables.Meta(dir.getFileName().toString(), List.of());
        }
    }

    private static void write(Path file, String text) {
        try {
            AtomicFiles.writeString(file, text);
        } catch (IOException e) {
            throw new CompressionException(file + ": cannot write: " + e.getMessage(), e);
        }
    }
}

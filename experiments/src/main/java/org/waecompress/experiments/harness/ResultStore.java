package org.waecompress.experiments.harness;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.waecompress.experiments.result.ResultRow;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.error.DataException;

/**
 * The append-only {@code results.jsonl}: one JSON line per finished row, flushed as soon as it is
 * written. Reading tolerates a cut-off last line (a run killed while appending: no final newline) by
 * dropping it with a note; any other damaged line is an error naming the file and line.
 */
public final class ResultStore {

    private static final Logger logger = LoggerFactory.getLogger(ResultStore.class);
    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

    private final Path file;

    /**
     * Opens the store of a run folder.
     *
     * @param runDir the run folder
     */
    public ResultStore(Path runDir) {
        this.file = runDir.resolve("results.jsonl");
    }

    /**
     * Returns the file.
     *
     * @return the results file
     */
    public Path file() {
        return file;
    }

    /**
     * What a results file holds.
     *
     * @param rows the finished rows, in file order, each row id once
     * @param notes what a reader of a table made from them must know: an incomplete last line (its row
     *     is missing and {@code --resume} reruns it), a row written twice (the first is kept)
     */
    public record Contents(List<ResultRow> rows, List<String> notes) {}

    /**
     * Reads the finished rows.
     *
     * @return the rows, in file order
     * @throws DataException naming the file and line of a damaged line that is not the last
     */
    public List<ResultRow> read() {
        return contents().rows();
    }

    /**
     * Reads the finished rows and what is wrong with the file: a last line that does not parse (a run
     * was killed while writing it) is left out and noted; a damaged line elsewhere is an error.
     *
     * @return the rows and notes
     * @throws DataException naming the file and line of a damaged line that is not the last
     */
    public Contents contents() {
        List<ResultRow> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        if (!Files.exists(file)) {
            return new Contents(rows, notes);
        }
        List<String> lines;
        boolean endsWithNewline;
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            endsWithNewline = text.isEmpty() || text.endsWith("\n");
            lines = text.lines().toList();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new DataException(file + ": is not UTF-8 text (a results file holds one JSON row per line); "
                    + "restore it from the run, or run again");
        } catch (IOException e) {
            throw new CompressionException(file + ": cannot read: " + e.getMessage(), e);
        }
        int last = lines.size() - 1;
        while (last >= 0 && lines.get(last).isBlank()) {
            last--;
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i <= last; i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) {
                continue;
            }
            ResultRow r;
            try {
                r = parse(line);
            } catch (RuntimeException e) {
                // only a line a killed writer left without its newline was cut off; any other is damaged
                if (i == last && !endsWithNewline) {
                    logger.warn("{}: line {} is incomplete (a run was interrupted while writing it); its row will "
                            + "run again with --resume", file, i + 1);
                    notes.add("Incomplete: line " + (i + 1) + " of results.jsonl was cut off (a run was interrupted "
                            + "while writing it), so its row is missing here; `waec run ... --resume` with the same "
                            + "--out reruns it.");
                    continue;
                }
                throw new DataException(file + ": line " + (i + 1) + " is not a result row (" + what(e)
                        + "); restore that line or delete it, and --resume reruns its row");
            }
            Integer first = seen.putIfAbsent(r.id(), i + 1);
            if (first != null) {
                notes.add("Row '" + r.id() + "' is in results.jsonl twice (lines " + first + " and " + (i + 1)
                        + "); the table shows the first.");
                continue;
            }
            rows.add(r);
        }
        return new Contents(rows, notes);
    }

    private static String what(RuntimeException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m).replaceFirst("^[a-zA-Z.]+Exception: ", "");
    }

    /**
     * Parses one line, upgrading rows written before runs measured latency per engine (flat
     * {@code latencyMs}, {@code speedup}, ... fields, all timed on the PyTorch engine).
     *
     * @param line the JSON line
     * @return the row
     */
    /**
     * Writes a row as one line of JSON, as {@code results.jsonl} holds it.
     *
     * @param row the row
     * @return the JSON text
     */
    public static String toJson(ResultRow row) {
        return GSON.toJson(row);
    }

    /**
     * Reads a row from one line of JSON (either format).
     *
     * @param line the JSON text
     * @return the row
     * @throws RuntimeException if it is not a row
     */
    public static ResultRow fromJson(String line) {
        return parse(line);
    }

    static ResultRow parse(String line) {
        JsonObject o = JsonParser.parseString(line).getAsJsonObject();
        if (o.has("row")) {
            o = fromFlat(o);
        }
        ResultRow r = GSON.fromJson(o, ResultRow.class);
        if (r.id() == null || r.label() == null || r.cost() == null || r.timings() == null
                || r.timings().engines() == null || r.provenance() == null
                || (r.cost().macs() <= 0 && r.failure() == null)) {
            throw new IllegalStateException("a row needs id, label, cost, timings and provenance");
        }
        return r;
    }

    /**
     * Reads a row as runs before the grouped format wrote it: every measurement a top-level field, the id
     * under {@code row}, and before that the PyTorch engine's timing as {@code latencyMs} and its neighbours.
     * {@link #repair} (every {@code --resume}) rewrites such a file in the grouped format.
     *
     * @param o the flat row
     * @return the grouped row
     */
    static JsonObject fromFlat(JsonObject o) {
        JsonArray engines;
        if (o.has("timings")) {
            engines = o.getAsJsonArray("timings");
        } else {
            engines = new JsonArray();
            if (o.has("latencyMs")) {
                JsonObject t = new JsonObject();
                t.addProperty("engine", "pytorch");
                t.add("medianMs", o.get("latencyMs"));
                t.add("p90Ms", o.get("latencyP90Ms"));
                t.add("baselineMs", o.get("baselineLatencyMs"));
                t.add("speedup", o.get("speedup"));
                t.add("throughput", o.get("throughput"));
                if (o.has("forkSpeedups")) {
                    t.add("forkSpeedups", o.get("forkSpeedups"));
                }
                engines.add(t);
            }
        }
        JsonObject g = new JsonObject();
        copy(o, "row", g, "id");
        copy(o, "label", g, "label");
        copy(o, "network", g, "network");
        copy(o, "strategy", g, "strategy");
        if (o.has("top1Error") && !o.get("top1Error").isJsonNull()) {
            JsonObject e = new JsonObject();
            copy(o, "top1Error", e, "top1");
            copy(o, "top5Error", e, "top5");
            copy(o, "testImages", e, "testImages");
            g.add("errors", e);
        }
        JsonObject cost = new JsonObject();
        copy(o, "macs", cost, "macs");
        copy(o, "params", cost, "params");
        copy(o, "macSpeedup", cost, "macSpeedup");
        copy(o, "macsByPart", cost, "macsByPart");
        g.add("cost", cost);
        JsonObject timings = new JsonObject();
        copy(o, "latencyBatch", timings, "latencyBatch");
        copy(o, "throughputBatch", timings, "throughputBatch");
        timings.add("engines", engines);
        g.add("timings", timings);
        copy(o, "onnx", g, "onnx");
        if (present(o, "paperTop5Error") || present(o, "paperSpeedup")) {
            JsonObject p = new JsonObject();
            copy(o, "paperTop5Error", p, "top5Error");
            copy(o, "paperSpeedup", p, "speedup");
            g.add("paper", p);
        }
        JsonObject prov = new JsonObject();
        copy(o, "trainSeconds", prov, "trainSeconds");
        copy(o, "settings", prov, "settings");
        copy(o, "finishedAt", prov, "finishedAt");
        g.add("provenance", prov);
        copy(o, "failure", g, "failure");
        return g;
    }

    private static boolean present(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull();
    }

    private static void copy(JsonObject from, String key, JsonObject to, String as) {
        if (present(from, key)) {
            to.add(as, from.get(key));
        }
    }

    /**
     * Drops a truncated last line from the file so appends start on a clean line.
     */
    public void repair() {
        if (!Files.exists(file)) {
            return;
        }
        List<ResultRow> rows = read();
        StringBuilder sb = new StringBuilder();
        for (ResultRow r : rows) {
            sb.append(GSON.toJson(r)).append('\n');
        }
        try {
            org.waecompress.spi.io.AtomicFiles.writeString(file, sb.toString());
        } catch (IOException e) {
            throw new CompressionException(file + ": cannot rewrite: " + e.getMessage(), e);
        }
    }

    /**
     * Appends a row and flushes it to disk.
     *
     * @param row the row
     */
    public void append(ResultRow row) {
        byte[] line = (GSON.toJson(row) + "\n").getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE, StandardOpenOption.SYNC)) {
            out.write(line);
        } catch (IOException e) {
            throw new CompressionException(file + ": cannot append: " + e.getMessage(), e);
        }
    }
}

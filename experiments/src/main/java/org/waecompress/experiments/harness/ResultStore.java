package org.waecompress.experiments.harness;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.waecompress.spi.CompressionException;

/**
 * The append-only {@code results.jsonl}: one JSON line per finished row, flushed as soon as it is
 * written. Reading tolerates a truncated last line (a killed run) by dropping it with a warning; a
 * damaged line elsewhere is an error naming the line.
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
     * Reads the finished rows.
     *
     * @return the rows, in file order
     */
    public List<ResultRow> read() {
        List<ResultRow> rows = new ArrayList<>();
        if (!Files.exists(file)) {
            return rows;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CompressionException(file + ": cannot read: " + e.getMessage(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) {
                continue;
            }
            try {
                rows.add(parse(line));
            } catch (JsonParseException | IllegalStateException e) {
                if (i == lines.size() - 1) {
                    logger.warn("{}: dropping a truncated last line (a run was interrupted); its row will run again",
                            file);
                    continue;
                }
                throw new CompressionException(file + ": line " + (i + 1) + " is not a result row: " + e.getMessage());
            }
        }
        return rows;
    }

    /**
     * Parses one line, upgrading rows written before runs measured latency per engine (flat
     * {@code latencyMs}, {@code speedup}, ... fields, all timed on the PyTorch engine).
     *
     * @param line the JSON line
     * @return the row
     */
    static ResultRow parse(String line) {
        JsonObject o = JsonParser.parseString(line).getAsJsonObject();
        if (!o.has("timings") && o.has("latencyMs")) {
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
            JsonArray a = new JsonArray();
            a.add(t);
            o.add("timings", a);
        }
        return GSON.fromJson(o, ResultRow.class);
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

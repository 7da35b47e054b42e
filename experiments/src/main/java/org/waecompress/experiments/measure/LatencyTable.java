package org.waecompress.experiments.measure;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.error.DataException;
import org.waecompress.spi.io.AtomicFiles;
import org.waecompress.spi.io.Sha256;

/**
 * Measured times of network pieces on one machine and runtime, kept in a JSON file the user can
 * keep and share: the {@link LatencyModel}'s memory. A table belongs to one CPU (model and
 * instruction set, as provenance names it), one runtime version and one thread count; its entries
 * are medians in milliseconds, keyed by what was timed. The file carries a checksum of its entries:
 * a table that was cut short or edited by hand is refused with one line naming it, never half-read.
 * Every write goes to a temporary file first and replaces the old one in one move, merging entries
 * another process wrote to the same file meanwhile.
 */
public final class LatencyTable {

    /** The file format this code writes and reads. */
    public static final int FORMAT = 1;

    /**
     * One measured time.
     *
     * @param label what was timed, for people
     * @param ms the median milliseconds (for a piece after its neighbour: the difference)
     * @param runs timed runs behind the median
     */
    public record Entry(String label, double ms, int runs) {}

    /**
     * The machine and runtime a table belongs to.
     *
     * @param cpu the CPU model with its instruction set
     * @param runtime the runtime and its version
     * @param threads intra-op threads
     */
    public record Machine(String cpu, String runtime, int threads) {

        /**
         * Returns a file name for this machine's table: the runtime and threads, the CPU, and a hash of
         * all three (so that a long CPU name cut short never makes two machines share a file).
         *
         * @return e.g. {@code onnx-runtime-1.22.0-cpu-2threads-amd-epyc-family-25-...-3f2a9c01.json}
         */
        public String fileName() {
            String slug = (runtime + "-" + threads + "threads-" + cpu).toLowerCase(Locale.ROOT)
                    .replaceAll("[^a-z0-9.]+", "-").replaceAll("(^-+|-+$)", "");
            if (slug.length() > 100) {
                slug = slug.substring(0, 100);
            }
            return slug + "-" + Sha256.of(describe()).substring(0, 8) + ".json";
        }

        String describe() {
            return String.format(Locale.ROOT, "%s, %s, %d thread%s", cpu, runtime, threads, threads == 1 ? "" : "s");
        }
    }

    private final Path file;
    private final Machine machine;
    private final Map<String, Entry> entries = new TreeMap<>();
    private boolean dirty;

    private LatencyTable(Path file, Machine machine) {
        this.file = file;
        this.machine = machine;
    }

    /**
     * Opens the table for a machine: the given file when it exists and belongs to this machine;
     * otherwise an empty table. A file for another CPU, runtime or thread count is refused with one
     * line on {@code notes} and a new table is measured into {@code fallbackDir} under this machine's
     * file name.
     *
     * @param file the table file (need not exist)
     * @param machine this machine
     * @param fallbackDir where a new table goes when {@code file} belongs to another machine
     * @param notes where a refusal is said
     * @return the table
     * @throws DataException if the file is truncated, not a table, or edited by hand
     */
    public static LatencyTable open(Path file, Machine machine, Path fallbackDir, java.io.PrintStream notes) {
        if (!Files.exists(file)) {
            return new LatencyTable(file, machine);
        }
        LatencyTable read = read(file);
        if (!read.machine.equals(machine)) {
            Path fresh = fallbackDir.resolve(machine.fileName());
            notes.println(file + ": a latency table measured on " + read.machine.describe() + ", not on this machine ("
                    + machine.describe() + "); refused, measuring " + (fresh.equals(file) ? "it anew"
                    : "a new one in " + fresh));
            if (fresh.equals(file)) {
                return new LatencyTable(file, machine);
            }
            return Files.exists(fresh) ? open(fresh, machine, fallbackDir, notes) : new LatencyTable(fresh, machine);
        }
        return read;
    }

    /**
     * Reads a table file.
     *
     * @param file the file
     * @return the table
     * @throws DataException if the file cannot be read, is truncated, not a table, or edited by hand
     */
    static LatencyTable read(Path file) {
        String what = " (delete it to measure a new table, or pass another --latency-table)";
        JsonObject o;
        try {
            o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        } catch (IOException e) {
            throw new DataException(file + ": cannot read the latency table (" + e.getMessage() + ")");
        } catch (RuntimeException e) {
            throw new DataException(file + ": not a complete latency table (the JSON is cut short or malformed)"
                    + what);
        }
        try {
            int format = o.get("format").getAsInt();
            if (format != FORMAT) {
                throw new DataException(file + ": latency table format " + format + ", this waec reads " + FORMAT
                        + what);
            }
            Machine m = new Machine(o.get("cpu").getAsString(), o.get("runtime").getAsString(),
                    o.get("threads").getAsInt());
            LatencyTable t = new LatencyTable(file, m);
            JsonObject es = o.getAsJsonObject("entries");
            for (Map.Entry<String, JsonElement> e : es.entrySet()) {
                JsonObject v = e.getValue().getAsJsonObject();
                double ms = v.get("ms").getAsDouble();
                int runs = v.get("runs").getAsInt();
                if (!Double.isFinite(ms) || runs < 1) {
                    throw new DataException(file + ": entry " + e.getKey() + " has ms " + ms + " and runs " + runs
                            + "; expected a finite time from at least one run" + what);
                }
                t.entries.put(e.getKey(), new Entry(v.get("label").getAsString(), ms, runs));
            }
            String sum = o.get("checksum").getAsString();
            if (!sum.equals(t.checksum())) {
                throw new DataException(file + ": its entries do not match its checksum (edited by hand or "
                        + "damaged); a latency table is written by waec only" + what);
            }
            return t;
        } catch (DataException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new DataException(file + ": not a latency table (a key is missing or of the wrong kind: "
                    + e.getMessage() + ")" + what);
        }
    }

    /**
     * Returns the file the table lives in.
     *
     * @return the file
     */
    public Path file() {
        return file;
    }

    /**
     * Returns the machine the table belongs to.
     *
     * @return the machine
     */
    public Machine machine() {
        return machine;
    }

    /**
     * Returns an entry.
     *
     * @param key its key
     * @return the entry, or null
     */
    public Entry get(String key) {
        return entries.get(key);
    }

    /**
     * Adds (or replaces) an entry; {@link #save} writes it.
     *
     * @param key its key
     * @param e the entry
     */
    public void put(String key, Entry e) {
        entries.put(key, e);
        dirty = true;
    }

    /**
     * Returns the number of entries.
     *
     * @return the count
     */
    public int size() {
        return entries.size();
    }

    /**
     * Writes the table (nothing when nothing was added since the last write), merging entries
     * another process wrote to the file since it was read: its entries for keys this table lacks are
     * kept.
     */
    public void save() {
        if (!dirty) {
            return;
        }
        if (Files.exists(file)) {
            try {
                LatencyTable other = read(file);
                if (other.machine.equals(machine)) {
                    other.entries.forEach(entries::putIfAbsent);
                }
            } catch (DataException e) {
                // a damaged file is replaced by this table
            }
        }
        JsonObject o = new JsonObject();
        o.addProperty("format", FORMAT);
        o.addProperty("what", "waec latency table: median milliseconds of network pieces at batch 1, back to back; "
                + "'alone:' a piece as a whole network, 'after:' a piece's time after its neighbour, 'fixed:' an "
                + "almost empty network, 'probe:' a convolution timed alone after each measurement to notice a busy "
                + "machine. Written by waec; edits are refused (checksum).");
        o.addProperty("cpu", machine.cpu());
        o.addProperty("runtime", machine.runtime());
        o.addProperty("threads", machine.threads());
        o.addProperty("savedAt", Instant.now().toString());
        o.add("entries", entriesJson());
        o.addProperty("checksum", checksum());
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            AtomicFiles.writeString(file, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create()
                    .toJson(o) + "\n");
            dirty = false;
        } catch (IOException e) {
            throw new CompressionException(file + ": cannot write the latency table: " + e.getMessage(), e);
        }
    }

    private JsonObject entriesJson() {
        JsonObject es = new JsonObject();
        entries.forEach((k, v) -> {
            JsonObject e = new JsonObject();
            e.addProperty("label", v.label());
            e.addProperty("ms", v.ms());
            e.addProperty("runs", v.runs());
            es.add(k, e);
        });
        return es;
    }

    private String checksum() {
        StringBuilder sb = new StringBuilder(machine.cpu()).append('\n').append(machine.runtime()).append('\n')
                .append(machine.threads()).append('\n');
        entries.forEach((k, v) -> sb.append(k).append('\t').append(v.label()).append('\t')
                .append(Double.toString(v.ms())).append('\t').append(v.runs()).append('\n'));
        return Sha256.of(sb.toString());
    }
}

package org.waecompress.spi.train;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.io.AtomicFiles;
import org.waecompress.spi.io.Sha256;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.SpecJson;

/**
 * The checkpoints of a strategy's own loop (ThiNet's layers, Taylor's steps): the network after a stage,
 * saved in the row's checkpoint folder on the row's checkpoint interval, and found again by a resumed row,
 * which continues after it. A trainer made with {@link NetworkTrainer#withCheckpoints} has them
 * ({@link NetworkTrainer#stages()}); one without checkpoints saves and finds nothing. The training calls'
 * own epoch checkpoints are {@code TrainCheckpoint}'s.
 */
public final class StageCheckpoints {

    private final ProgressListener listener;
    private final Path dir;
    private final String scope;
    private final Duration every;
    private final LongSupplier clock;
    /** When a stage was last saved (or these checkpoints were made). */
    private final AtomicLong lastSave;

    StageCheckpoints(ProgressListener listener, Path dir, String scope, Duration every, LongSupplier clock) {
        this.listener = listener;
        this.dir = dir;
        this.scope = scope;
        this.every = every;
        this.clock = clock;
        this.lastSave = new AtomicLong(clock.getAsLong());
    }

    /**
     * The state of a loop after a stage.
     *
     * @param index the index of the last finished stage (0-based)
     * @param network the network after it; the caller owns and closes it
     */
    public record Stage(int index, Network network) {}

    /**
     * Returns the last stage a loop saved in this row's checkpoints, so that a resumed row continues after it
     * instead of redoing every stage. Empty when there are no checkpoints, nothing was saved, or what was saved
     * started from another network or under another scope.
     *
     * @param loop the loop's name, unique within the row (the strategy's id)
     * @param start the network the loop started from
     * @return the saved stage
     * @throws CompressionException naming the file when a saved stage cannot be read
     */
    public Optional<Stage> saved(String loop, Network start) {
        if (dir == null) {
            return Optional.empty();
        }
        Path pointer = dir.resolve(name(loop) + ".json");
        if (!Files.exists(pointer)) {
            return Optional.empty();
        }
        try {
            JsonObject o = JsonParser.parseString(Files.readString(pointer)).getAsJsonObject();
            if (!o.get("fingerprint").getAsString().equals(fingerprint(loop, start))) {
                return Optional.empty();
            }
            int index = o.get("index").getAsInt();
            Network net = Network.load(dir.resolve(o.get("network").getAsString() + ".spec.json"));
            listener.message(String.format(Locale.ROOT, "%s: resuming after stage %d from %s", loop, index + 1,
                    pointer));
            return Optional.of(new Stage(index, net));
        } catch (IOException | RuntimeException e) {
            throw new CompressionException(pointer + ": cannot resume " + loop + " from this checkpoint ("
                    + e.getMessage() + "); delete it to run this row from the start", e);
        }
    }

    /**
     * Saves the network after a stage, when at least the checkpoint interval has passed since this row's
     * last saved stage (always with an interval of 0); the saved stage replaces the previous one. Does
     * nothing without checkpoints.
     *
     * @param loop the loop's name, as given to {@link #saved}
     * @param start the network the loop started from
     * @param index the index of the stage just finished (0-based)
     * @param network the network after it (unchanged)
     * @throws CompressionException naming the file when it cannot be written
     */
    public void save(String loop, Network start, int index, Network network) {
        if (dir == null || clock.getAsLong() - lastSave.get() < every.toNanos()) {
            return;
        }
        String base = name(loop) + "-" + index;
        Path pointer = dir.resolve(name(loop) + ".json");
        try {
            String before = Files.exists(pointer)
                    ? JsonParser.parseString(Files.readString(pointer)).getAsJsonObject().get("network").getAsString()
                    : null;
            network.save(dir, base);
            JsonObject o = new JsonObject();
            o.addProperty("fingerprint", fingerprint(loop, start));
            o.addProperty("index", index);
            o.addProperty("network", base);
            AtomicFiles.writeString(pointer, o + "\n");
            if (before != null && !before.equals(base)) {
                Files.deleteIfExists(dir.resolve(before + ".spec.json"));
                Files.deleteIfExists(dir.resolve(before + ".params"));
            }
        } catch (IOException | RuntimeException e) {
            throw new CompressionException(pointer + ": cannot save " + loop + "'s stage " + (index + 1) + ": "
                    + e.getMessage(), e);
        }
        lastSave.set(clock.getAsLong());
    }

    private static String name(String loop) {
        return "stage-" + loop.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    }

    private String fingerprint(String loop, Network start) {
        return Sha256.of(("scope " + scope + "\nloop " + loop + "\nspec " + SpecJson.toJson(start.spec())
                + "\nweights " + TrainCheckpoint.weightsHash(start)).getBytes(StandardCharsets.UTF_8));
    }
}

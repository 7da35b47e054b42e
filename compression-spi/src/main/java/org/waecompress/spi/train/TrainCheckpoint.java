package org.waecompress.spi.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.io.AtomicFiles;
import org.waecompress.spi.io.Sha256;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.SpecJson;

/**
 * One training call's state after a finished epoch: the epochs done, their statistics, every parameter
 * (batch-norm running statistics included) and the optimizer state of every updated parameter.
 *
 * <p>A file is {@code NAME-HASH.ckpt}, where NAME comes from the task and HASH from a fingerprint of
 * everything the call's result depends on that the trainer can see: the task, the settings, the
 * spec, the classes, the data set's name, size and shapes, each parameter's rate factor, a hash of
 * the starting weights and the caller's scope (the experiment harness puts a strategy's id and
 * settings there, since the loss itself cannot be compared). A call with another fingerprint never
 * reads the file. Files are written to a temporary name and moved into place, so an interrupted write
 * leaves the previous epoch's checkpoint.
 */
final class TrainCheckpoint {

    private static final String MAGIC = "waec-train-checkpoint-1";

    /**
     * What a checkpoint holds. The arrays live in the manager given to {@link #read}.
     *
     * @param epochsDone the epochs finished
     * @param history their statistics
     * @param weights every parameter's value, by full name
     * @param states each updated parameter's optimizer state, by full name
     */
    record Saved(int epochsDone, List<EpochStats> history, Map<String, NDArray> weights,
            Map<String, NDArray[]> states) {}

    private final Path file;
    private final String fingerprint;

    private TrainCheckpoint(Path file, String fingerprint) {
        this.file = file;
        this.fingerprint = fingerprint;
    }

    /**
     * Names the checkpoint of one training call.
     *
     * @param dir the checkpoint folder
     * @param task the task, for the file name
     * @param description everything the call depends on (hashed into the fingerprint)
     * @return the checkpoint
     */
    static TrainCheckpoint of(Path dir, String task, String description) {
        String fp = Sha256.of(description.getBytes(StandardCharsets.UTF_8));
        String slug = task.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        if (slug.isEmpty() || slug.length() > 60) {
            slug = slug.isEmpty() ? "train" : slug.substring(0, 60);
        }
        return new TrainCheckpoint(dir.resolve(slug + "-" + fp.substring(0, 12) + ".ckpt"), fp);
    }

    /**
     * Describes everything a training call's result depends on that the trainer can see: the checkpoint
     * scope, the task, the settings, the network's layers, classes and weights, the data's identity and each
     * parameter's learning-rate factor. Two calls with the same description continue each other's
     * checkpoints; any difference starts afresh.
     *
     * @param scope the checkpoint scope (a row and its settings)
     * @param task the task
     * @param network the network before training
     * @param data the training data
     * @param settings the training settings
     * @param factors each parameter's learning-rate factor, in the spec's order
     * @return the description, hashed by {@link #of}
     */
    static String describe(String scope, String task, Network network, ImageDataset data, TrainSettings settings,
            Map<String, Double> factors) {
        StringBuilder sb = new StringBuilder();
        sb.append("scope ").append(scope).append('\n');
        sb.append("task ").append(task).append('\n');
        sb.append("settings ").append(settings).append('\n');
        sb.append("spec ").append(SpecJson.toJson(network.spec())).append('\n');
        sb.append("classes ").append(network.classes()).append('\n');
        sb.append("data ").append(data.name()).append(' ').append(data.size()).append(' ')
                .append(data.sampleShape()).append(' ').append(data.numClasses()).append('\n');
        factors.forEach((name, factor) -> sb.append("factor ").append(name).append(' ').append(factor).append('\n'));
        sb.append("weights ").append(weightsHash(network)).append('\n');
        return sb.toString();
    }

    /**
     * Returns a hash of a network's weights, for fingerprints.
     *
     * @param network the network
     * @return hex digest over every parameter's name and bytes, in the spec's order
     */
    static String weightsHash(Network network) {
        MessageDigest md = Sha256.digest();
        for (Map.Entry<String, NDArray> e : network.weights().entrySet()) {
            md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            md.update(e.getValue().getDataType().toString().getBytes(StandardCharsets.UTF_8));
            md.update(e.getValue().getShape().toString().getBytes(StandardCharsets.UTF_8));
            md.update(e.getValue().toByteBuffer());
        }
        return Sha256.hex(md);
    }

    /** Returns the file. */
    Path file() {
        return file;
    }

    /**
     * Reads the checkpoint if there is one for this fingerprint.
     *
     * @param manager where the arrays are to live
     * @return what it holds, or null when there is no file
     * @throws CompressionException if the file exists but cannot be read as a checkpoint
     */
    Saved read(NDManager manager) {
        try (InputStream raw = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new BufferedInputStream(raw))) {
            if (!MAGIC.equals(in.readUTF())) {
                throw unreadable("not a training checkpoint of this version");
            }
            if (!fingerprint.equals(in.readUTF())) {
                return null;
            }
            int epochs = in.readInt();
            List<EpochStats> history = new Gson().fromJson(new String(bytes(in), StandardCharsets.UTF_8),
                    new TypeToken<List<EpochStats>>() {}.getType());
            Map<String, NDArray> weights = new LinkedHashMap<>();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                weights.put(name, NDArray.decode(manager, bytes(in)));
            }
            Map<String, NDArray[]> states = new HashMap<>();
            int m = in.readInt();
            for (int i = 0; i < m; i++) {
                String name = in.readUTF();
                NDArray[] s = new NDArray[in.readInt()];
                for (int k = 0; k < s.length; k++) {
                    s[k] = NDArray.decode(manager, bytes(in));
                }
                states.put(name, s);
            }
            if (history == null || history.size() != epochs) {
                throw unreadable("its history has " + (history == null ? 0 : history.size()) + " epochs, expected "
                        + epochs);
            }
            return new Saved(epochs, history, weights, states);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            if (e instanceof CompressionException c) {
                throw c;
            }
            throw unreadable(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    /**
     * Writes the checkpoint after an epoch.
     *
     * @param history the statistics of every epoch so far
     * @param parameters every parameter of the network being trained, by full name
     * @param updaters the updaters whose state is saved
     */
    void write(List<EpochStats> history, Map<String, Parameter> parameters, List<ParameterUpdater> updaters) {
        Map<String, NDArray[]> states = new LinkedHashMap<>();
        for (ParameterUpdater u : updaters) {
            states.putAll(u.state());
        }
        try {
            Files.createDirectories(file.getParent());
            AtomicFiles.write(file, raw -> {
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw));
                out.writeUTF(MAGIC);
                out.writeUTF(fingerprint);
                out.writeInt(history.size());
                writeBytes(out, new Gson().toJson(new ArrayList<>(history)).getBytes(StandardCharsets.UTF_8));
                out.writeInt(parameters.size());
                for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
                    out.writeUTF(e.getKey());
                    writeBytes(out, e.getValue().getArray().encode());
                }
                out.writeInt(states.size());
                for (Map.Entry<String, NDArray[]> e : states.entrySet()) {
                    out.writeUTF(e.getKey());
                    out.writeInt(e.getValue().length);
                    for (NDArray a : e.getValue()) {
                        writeBytes(out, a.encode());
                    }
                }
                out.flush();
            });
        } catch (IOException e) {
            throw new CompressionException("cannot write training checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    private CompressionException unreadable(String why) {
        return new CompressionException(file + ": cannot resume training from this checkpoint (" + why
                + "); delete it to train this step from the start");
    }

    private static byte[] bytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("negative length " + n);
        }
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new IOException("the file ends early");
        }
        return b;
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

}

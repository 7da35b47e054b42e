package org.waecompress.experiments.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.io.AtomicFiles;
import org.waecompress.spi.train.NetworkTrainer;

/**
 * A run folder and everything a run keeps in it: {@code results.jsonl} (the rows, {@link ResultStore}),
 * {@code provenance.json}, {@code log.txt}, the lock file, {@code networks/} (the trained backbone and the
 * exported rows) and {@code checkpoints/ROW/} (a row's training state until the row is stored). The runner,
 * {@code --resume} and the reports reach these files through this class only.
 */
public final class RunFolder {

    private final Path dir;
    private final ResultStore results;

    /**
     * Names a run folder (nothing is created).
     *
     * @param dir the folder
     */
    public RunFolder(Path dir) {
        this.dir = dir;
        this.results = new ResultStore(dir);
    }

    /**
     * Returns the folder.
     *
     * @return the path
     */
    public Path dir() {
        return dir;
    }

    /**
     * Returns the rows' store.
     *
     * @return {@code results.jsonl}
     */
    public ResultStore results() {
        return results;
    }

    /**
     * Returns the provenance file.
     *
     * @return {@code provenance.json}
     */
    public Path provenance() {
        return dir.resolve("provenance.json");
    }

    /**
     * Returns the run's log.
     *
     * @return {@code log.txt}
     */
    public Path log() {
        return dir.resolve("log.txt");
    }

    /**
     * Returns where the run's networks are saved.
     *
     * @return {@code networks/}
     */
    public Path networks() {
        return dir.resolve("networks");
    }

    /**
     * Returns the trained backbone's spec file (present once the backbone is trained or loaded).
     *
     * @return {@code networks/backbone.spec.json}
     */
    public Path savedBackbone() {
        return networks().resolve("backbone.spec.json");
    }

    /**
     * Creates the folder if it does not exist.
     *
     * @return true when this call created it (a start that fails may then remove it again)
     * @throws InvalidSettingException naming {@code output.dir} when it cannot be created
     */
    public boolean create() {
        boolean fresh = !Files.exists(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new InvalidSettingException("output.dir", dir, "cannot be created (" + e.getMessage() + ")");
        }
        return fresh;
    }

    /**
     * Takes the folder's lock for this process ({@link RunLock}).
     *
     * @param command the command line, shown to a second run that finds the folder locked
     * @return the lock, to close when the run ends
     */
    public RunLock lock(String command) {
        return RunLock.acquire(dir, command);
    }

    /**
     * Removes what a killed run was writing when it died (temporary files of atomic writes); call it only
     * while holding the lock.
     */
    public void removeLeftovers() {
        try {
            AtomicFiles.removeLeftovers(dir);
        } catch (IOException e) {
            throw new CompressionException(dir + ": cannot read the run folder: " + e.getMessage(), e);
        }
    }

    /**
     * Tells whether the folder holds anything a run computed (rows or networks).
     *
     * @return true when it does
     */
    public boolean holdsResults() {
        return Files.exists(results.file()) || Files.exists(networks());
    }

    /**
     * Returns the rows whose numbers a resume must not change: stored ones, and those with checkpoints.
     *
     * @return their ids
     */
    public Set<String> startedRows() {
        Set<String> rows = new HashSet<>();
        results.read().forEach(r -> rows.add(r.id()));
        Path ck = dir.resolve("checkpoints");
        if (Files.isDirectory(ck)) {
            try (Stream<Path> d = Files.list(ck)) {
                d.forEach(p -> rows.add(p.getFileName().toString()));
            } catch (IOException e) {
                // none
            }
        }
        return rows;
    }

    /**
     * Returns where a row's training calls keep their checkpoints until the row is stored.
     *
     * @param row the row's id
     * @return {@code checkpoints/ROW}
     */
    public Path checkpoints(String row) {
        return dir.resolve("checkpoints").resolve(row);
    }

    /**
     * Returns the trainer for one row: checkpointing into the row's folder, or {@code trainer} itself when
     * checkpoints are off.
     *
     * @param trainer the run's trainer
     * @param enabled whether checkpoints are on ({@code output.checkpoints})
     * @param row the row's id
     * @param scope what the checkpoints belong to (a checkpoint of another scope is not resumed)
     * @param every least wall time between two checkpoints
     * @return the row's trainer
     */
    public NetworkTrainer rowTrainer(NetworkTrainer trainer, boolean enabled, String row, String scope,
            Duration every) {
        return enabled ? trainer.withCheckpoints(checkpoints(row), scope, every) : trainer;
    }

    /**
     * Returns where a remote executor's task records a computed row until the driver has stored it.
     *
     * @param row the row's id
     * @return {@code computed/ROW.json}
     */
    public Path computed(String row) {
        return dir.resolve("computed").resolve(row + ".json");
    }

    /**
     * Deletes a stored row's checkpoints.
     *
     * @param row the row's id
     */
    public void deleteCheckpoints(String row) {
        Path rowDir = checkpoints(row);
        if (!Files.isDirectory(rowDir)) {
            return;
        }
        try {
            AtomicFiles.deleteTree(rowDir);
        } catch (IOException e) {
            throw new CompressionException("cannot delete the finished row's checkpoints in " + rowDir + ": "
                    + e.getMessage(), e);
        }
        try {
            Files.deleteIfExists(rowDir.getParent());
        } catch (IOException e) {
            // another row's checkpoints are still there
        }
    }

    /**
     * Writes a file of the folder atomically.
     *
     * @param file the file
     * @param text its contents
     */
    public static void write(Path file, String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            AtomicFiles.writeString(file, text);
        } catch (IOException e) {
            throw new CompressionException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    /**
     * Removes the folder if it holds nothing but its log and lock file, so that a failed start (bad data
     * folder, a setting only the backbone makes wrong) leaves no empty run behind. A folder with a trained
     * backbone, provenance or results is kept for {@code --resume}.
     */
    public void removeIfOnlyLog() {
        try (Stream<Path> entries = Files.list(dir)) {
            List<Path> left = entries.toList();
            if (left.stream().allMatch(f -> Set.of("log.txt", RunLock.FILE).contains(f.getFileName().toString()))) {
                for (Path f : left) {
                    Files.delete(f);
                }
                Files.delete(dir);
            }
        } catch (IOException e) {
            // leave the folder; the run's own error is the one to report
        }
    }
}

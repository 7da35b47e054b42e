package org.waecompress.experiments.harness;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.error.InvalidSettingException;

/**
 * The exclusive hold of one writer on a run folder: an operating-system lock on {@code .lock} in the
 * folder, taken before the run reads or writes anything there and held until the run ends. The
 * operating system releases it when the process dies (even by {@code kill -9}), so a crashed run
 * never leaves the folder locked. The file records the holder's process id, start time and command
 * line, so a second writer is refused with one line naming them.
 */
public final class RunLock implements AutoCloseable {

    /** The lock file's name in a run folder. */
    public static final String FILE = ".lock";

    /**
     * Folders this process holds. Checked before a second channel opens the lock file: on Linux,
     * closing any descriptor of a file releases every lock the process holds on it.
     */
    private static final Map<Path, String> HELD = new ConcurrentHashMap<>();

    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(Path key, FileChannel channel, FileLock lock) {
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the folder's lock or fails at once.
     *
     * @param dir the run folder (must exist)
     * @param command what this process runs, recorded for a second writer's message
     * @return the held lock
     * @throws InvalidSettingException naming the process that holds the folder
     */
    public static RunLock acquire(Path dir, String command) {
        Path file = dir.resolve(FILE);
        Path key;
        try {
            // the real path: a folder reached through a link is the same folder
            key = dir.toRealPath().resolve(FILE);
        } catch (IOException e) {
            key = file.toAbsolutePath().normalize();
        }
        String mine = "this process (" + ProcessHandle.current().pid() + ", '" + command + "')";
        if (HELD.putIfAbsent(key, mine) != null) {
            throw inUse(dir, HELD.get(key));
        }
        try {
            return lock(dir, file, key, command);
        } catch (RuntimeException e) {
            HELD.remove(key);
            throw e;
        }
    }

    private static InvalidSettingException inUse(Path dir, String holder) {
        return new InvalidSettingException("output.dir", dir, "is in use by " + holder + "; wait for that run to "
                + "end (or stop it) and then pass --resume, or choose another folder with --out");
    }

    private static RunLock lock(Path dir, Path file, Path key, String command) {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new CompressionException(file + ": cannot open the run folder's lock: " + e.getMessage(), e);
        }
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        } catch (IOException e) {
            close(ch);
            throw new CompressionException(file + ": cannot lock the run folder: " + e.getMessage(), e);
        }
        if (l == null) {
            String holder = holder(ch);
            close(ch);
            throw inUse(dir, holder);
        }
        try {
            String text = "pid " + ProcessHandle.current().pid() + "\nstarted " + Instant.now() + "\ncommand "
                    + command.replace('\n', ' ') + "\n";
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(false);
        } catch (IOException e) {
            // the lock is held; only the note for a second writer is missing
        }
        return new RunLock(key, ch, l);
    }

    /** Describes the holder from the lock file's note. */
    private static String holder(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(4096, ch.size()));
            ch.read(b, 0);
            String text = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
            String pid = field(text, "pid");
            if (pid == null) {
                return "another run (its process id is not recorded yet)";
            }
            String started = field(text, "started");
            String command = field(text, "command");
            return "process " + pid
                    + (command == null ? "" : " ('" + command + "'")
                    + (started == null ? "" : (command == null ? " (" : ", ") + "started " + started)
                    + (command == null && started == null ? "" : ")");
        } catch (IOException e) {
            return "another run";
        }
    }

    private static String field(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ")) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return null;
    }

    private static void close(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing held
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // the channel's close releases it too
        }
        close(channel);
        HELD.remove(key);
    }
}

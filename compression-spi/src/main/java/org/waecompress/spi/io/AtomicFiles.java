package org.waecompress.spi.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/** Writes files under a temporary name, then moves them into place. */
public final class AtomicFiles {
    /** Writes the content of a stream. */
    @FunctionalInterface
    public interface Writer {
        /**
         * Writes the content.
         *
         * @param out the stream
         * @throws IOException if writing fails
         */
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {}

    /**
     * Writes {@code target} atomically: to a temporary file in the same folder, then a move.
     *
     * @param target the final path
     * @param writer writes the content
     * @throws IOException if writing or moving fails (the temporary file is removed)
     */
    public static void write(Path target, Writer writer) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                writer.write(out);
            }
            sharePermissions(tmp, target);
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Removes the temporary files that writers killed mid-write left in a folder and its subfolders
     * (hidden files ending in {@code .tmp}, the names {@link #write} gives them). Call it only while no
     * other process writes there (a run holds its folder's lock).
     *
     * @param dir the folder
     * @return how many were removed
     * @throws IOException if the folder cannot be read
     */
    public static int removeLeftovers(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int n = 0;
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String name = f.getFileName().toString();
                if (name.startsWith(".") && name.endsWith(".tmp")) {
                    Files.deleteIfExists(f);
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * Gives the temporary file the permissions a plain new file gets (a temporary file is created
     * readable by its owner only): those of a file created in its folder the usual way, which follow
     * the user's umask (so a file an older version wrote owner-only becomes readable again).
     */
    private static void sharePermissions(Path tmp, Path target) throws IOException {
        if (!Files.getFileStore(tmp).supportsFileAttributeView(PosixFileAttributeView.class)) {
            return;
        }
        Path probe = tmp.resolveSibling(tmp.getFileName() + ".perm");
        Files.deleteIfExists(probe);
        Files.createFile(probe);
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(probe);
        } finally {
            Files.delete(probe);
        }
        Files.setPosixFilePermissions(tmp, perms);
    }

    /**
     * Writes a UTF-8 text file atomically.
     *
     * @param target the final path
     * @param text the content
     * @throws IOException if writing fails
     */
    public static void writeString(Path target, String text) throws IOException {
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Deletes a folder and everything in it.
     *
     * @param dir the folder
     * @throws IOException if a file cannot be deleted
     */
    public static void deleteTree(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * Deletes a scratch folder and everything in it, as far as it can: a file left in a temporary
     * folder must not hide the error that ended the work.
     *
     * @param dir the folder
     */
    public static void deleteScratch(Path dir) {
        try {
            deleteTree(dir);
        } catch (IOException e) {
            // a scratch file left behind in the temporary folder
        }
    }
}

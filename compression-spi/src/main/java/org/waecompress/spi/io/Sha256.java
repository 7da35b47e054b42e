package org.waecompress.spi.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 digests in hex, the one place the project computes them: fingerprints of training checkpoints,
 * of latency tables and their entries, and of the files a run's provenance records.
 */
public final class Sha256 {

    private Sha256() {}

    /**
     * Returns a fresh digest, for data fed in parts.
     *
     * @return a SHA-256 message digest
     */
    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /**
     * Returns a finished digest in hex.
     *
     * @param md the digest
     * @return 64 hex digits
     */
    public static String hex(MessageDigest md) {
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * Returns the SHA-256 of bytes.
     *
     * @param data the bytes
     * @return 64 hex digits
     */
    public static String of(byte[] data) {
        return HexFormat.of().formatHex(digest().digest(data));
    }

    /**
     * Returns the SHA-256 of a text's UTF-8 bytes.
     *
     * @param text the text
     * @return 64 hex digits
     */
    public static String of(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Returns the SHA-256 of a file's bytes, read in blocks.
     *
     * @param file the file
     * @return 64 hex digits
     * @throws IOException if the file cannot be read
     */
    public static String of(Path file) throws IOException {
        MessageDigest md = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0;) {
                md.update(buf, 0, r);
            }
        }
        return hex(md);
    }
}

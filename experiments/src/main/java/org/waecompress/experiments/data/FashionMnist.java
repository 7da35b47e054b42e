package org.waecompress.experiments.data;

import ai.djl.ndarray.types.Shape;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.waecompress.spi.data.ArrayImageDataset;
import org.waecompress.spi.error.DataException;

/**
 * Fashion-MNIST (Xiao et al., 2017) from its IDX files, as Debian's {@code dataset-fashion-mnist}
 * package installs them under {@code /usr/share/datasets/fashion-mnist} (gzip-compressed; plain
 * files are read too).
 *
 * <p>DJL's own {@code FashionMnist} reads {@code .gz} files as raw bytes and silently returns
 * garbage, so this reader parses the IDX format itself and checks everything: a missing file says
 * how to install the package, a wrong magic number, a truncated file or an image/label count
 * mismatch names the file.
 */
public final class FashionMnist {

    /** Where Debian's package puts the files. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** The class names, in label order. */
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** Mean of the training pixels in [0, 1]. */
    public static final float MEAN = 0.2860f;

    /** Standard deviation of the training pixels in [0, 1]. */
    public static final float STD = 0.3530f;

    /** The two splits. */
    public enum Split {
        /** 60,000 training images. */
        TRAIN("train"),
        /** 10,000 test images. */
        TEST("t10k");

        private final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }
    }

    /**
     * How to turn the 28x28 bytes into network input.
     *
     * @param padTo32 whether to pad to 32x32 with background (2 pixels each side)
     * @param normalize whether to standardise with the training mean and deviation
     */
    public record Options(boolean padTo32, boolean normalize) {}

    private FashionMnist() {}

    /**
     * Loads a split.
     *
     * @param dir the folder holding the IDX files
     * @param split the split
     * @param options padding and normalisation
     * @return the data set
     * @throws DataException if a file is missing or malformed
     */
    public static ArrayImageDataset load(Path dir, Split split, Options options) {
        Path images = find(dir, split.prefix + "-images-idx3-ubyte");
        Path labels = find(dir, split.prefix + "-labels-idx1-ubyte");
        Idx img = readIdx(images, 0x00000803, 3);
        Idx lab = readIdx(labels, 0x00000801, 1);
        int n = img.dims[0];
        if (lab.dims[0] != n) {
            throw new DataException(labels + ": has " + lab.dims[0] + " labels but " + images.getFileName()
                    + " has " + n + " images; the files belong to different releases");
        }
        if (img.dims[1] != 28 || img.dims[2] != 28) {
            throw new DataException(images + ": images are " + img.dims[1] + "x" + img.dims[2]
                    + ", expected 28x28 (Fashion-MNIST)");
        }
        int size = options.padTo32() ? 32 : 28;
        int off = options.padTo32() ? 2 : 0;
        float mean = options.normalize() ? MEAN : 0f;
        float std = options.normalize() ? STD : 1f;
        float background = (0f - mean) / std;
        float[] pixels = new float[n * size * size];
        java.util.Arrays.fill(pixels, background);
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    float v = (img.data[(i * 28 + y) * 28 + x] & 0xff) / 255f;
                    pixels[(i * size + y + off) * size + x + off] = (v - mean) / std;
                }
            }
        }
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = lab.data[i] & 0xff;
            if (y[i] >= CLASSES.size()) {
                throw new DataException(labels + ": label " + y[i] + " at index " + i + " is not in 0..9");
            }
        }
        String name = "Fashion-MNIST " + split.name().toLowerCase(java.util.Locale.ROOT) + " (" + n + " images, "
                + size + "x" + size + ")";
        return new ArrayImageDataset(name, pixels, y, new Shape(1, size, size), CLASSES);
    }

    private static Path find(Path dir, String stem) {
        Path gz = dir.resolve(stem + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path plain = dir.resolve(stem);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        throw new DataException("Fashion-MNIST file " + gz + " not found; install it with "
                + "'sudo apt-get install dataset-fashion-mnist' (Debian/Ubuntu) or point data.dir at a folder "
                + "holding " + stem + "[.gz]");
    }

    private record Idx(int[] dims, byte[] data) {}

    private static Idx readIdx(Path file, int magic, int rank) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
                InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
                DataInputStream d = new DataInputStream(in)) {
            int m = d.readInt();
            if (m != magic) {
                throw new DataException(String.format(java.util.Locale.ROOT,
                        "%s: magic number 0x%08X, expected 0x%08X (IDX %s); the file is not a Fashion-MNIST %s file",
                        file, m, magic, rank == 3 ? "images" : "labels", rank == 3 ? "image" : "label"));
            }
            int[] dims = new int[rank];
            long count = 1;
            for (int i = 0; i < rank; i++) {
                dims[i] = d.readInt();
                if (dims[i] <= 0) {
                    throw new DataException(file + ": dimension " + i + " is " + dims[i]);
                }
                count *= dims[i];
            }
            if (count > Integer.MAX_VALUE) {
                throw new DataException(file + ": " + count + " values is too many");
            }
            byte[] data = new byte[(int) count];
            try {
                d.readFully(data);
            } catch (EOFException e) {
                throw new DataException(file + ": truncated: the header announces " + count
                        + " bytes of data but the file ends early; reinstall the data package");
            }
            return new Idx(dims, data);
        } catch (DataException e) {
            throw e;
        } catch (ZipException | EOFException e) {
            String why = sizeOf(file) == 0 ? "is empty (0 bytes)"
                    : e instanceof EOFException ? "ends before its header is complete (truncated)"
                    : "is not a readable gzip file (" + e.getMessage() + ")";
            throw new DataException(file + ": " + why + "; reinstall the data package or point data.dir at a "
                    + "complete copy");
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }
}

package org.waecompress.experiments.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.spi.data.ArrayImageDataset;
import org.waecompress.spi.error.DataException;

class FashionMnistTest {

    @TempDir
    Path dir;

    static byte[] idx(int magic, int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(bos);
        d.writeInt(magic);
        for (int x : dims) {
            d.writeInt(x);
        }
        d.write(data);
        return bos.toByteArray();
    }

    static void write(Path f, byte[] bytes, boolean gzip) throws IOException {
        try (OutputStream o = gzip ? new GZIPOutputStream(Files.newOutputStream(f)) : Files.newOutputStream(f)) {
            o.write(bytes);
        }
    }

    void writeSplit(String prefix, int n, int labelCount, boolean gzip) throws IOException {
        byte[] px = new byte[n * 28 * 28];
        for (int i = 0; i < n; i++) {
            px[i * 784] = (byte) 255;
            px[i * 784 + 28 * 27 + 27] = (byte) (i * 10);
        }
        byte[] lab = new byte[labelCount];
        for (int i = 0; i < labelCount; i++) {
            lab[i] = (byte) (i % 10);
        }
        String ext = gzip ? ".gz" : "";
        write(dir.resolve(prefix + "-images-idx3-ubyte" + ext), idx(0x803, new int[] {n, 28, 28}, px), gzip);
        write(dir.resolve(prefix + "-labels-idx1-ubyte" + ext), idx(0x801, new int[] {labelCount}, lab), gzip);
    }

    @Test
    void readsGzipAndPlainFilesWithPaddingAndNormalisation() throws IOException {
        writeSplit("t10k", 3, 3, true);
        ArrayImageDataset raw = FashionMnist.load(dir, FashionMnist.Split.TEST, new FashionMnist.Options(false, false));
        assertEquals(3, raw.size());
        assertEquals(new Shape(1, 28, 28), raw.sampleShape());
        float[] px = new float[28 * 28];
        raw.copyImage(0, px, 0);
        assertEquals(1.0f, px[0], 1e-6);
        assertEquals(2, raw.label(2));

        writeSplit("train", 4, 4, false);
        ArrayImageDataset padded = FashionMnist.load(dir, FashionMnist.Split.TRAIN, new FashionMnist.Options(true,
                true));
        assertEquals(new Shape(1, 32, 32), padded.sampleShape());
        float[] p = new float[32 * 32];
        padded.copyImage(0, p, 0);
        float bg = -FashionMnist.MEAN / FashionMnist.STD;
        assertEquals(bg, p[0], 1e-6);
        assertEquals((1 - FashionMnist.MEAN) / FashionMnist.STD, p[2 * 32 + 2], 1e-5);
    }

    @Test
    void missingFilesSayHowToInstall() {
        DataException e = assertThrows(DataException.class,
                () -> FashionMnist.load(dir.resolve("none"), FashionMnist.Split.TRAIN, new FashionMnist.Options(true,
                        true)));
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz"), e.getMessage());
    }

    @Test
    void wrongMagicNamesTheFile() throws IOException {
        writeSplit("t10k", 2, 2, true);
        write(dir.resolve("t10k-images-idx3-ubyte.gz"), idx(0x801, new int[] {2, 28, 28}, new byte[2 * 784]), true);
        DataException e = assertThrows(DataException.class,
                () -> FashionMnist.load(dir, FashionMnist.Split.TEST, new FashionMnist.Options(true, true)));
        assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte.gz: magic number 0x00000801, expected 0x00000803"),
                e.getMessage());
    }

    @Test
    void truncatedFileIsNamed() throws IOException {
        writeSplit("t10k", 2, 2, true);
        write(dir.resolve("t10k-images-idx3-ubyte.gz"), idx(0x803, new int[] {5, 28, 28}, new byte[100]), true);
        DataException e = assertThrows(DataException.class,
                () -> FashionMnist.load(dir, FashionMnist.Split.TEST, new FashionMnist.Options(true, true)));
        assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte.gz: truncated"), e.getMessage());
    }

    @Test
    void corruptGzipIsNamed() throws IOException {
        writeSplit("t10k", 2, 2, true);
        Path f = dir.resolve("t10k-images-idx3-ubyte.gz");
        byte[] b = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(b, b.length / 2));
        DataException e = assertThrows(DataException.class,
                () -> FashionMnist.load(dir, FashionMnist.Split.TEST, new FashionMnist.Options(true, true)));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    }

    @Test
    void countMismatchNamesBothFiles() throws IOException {
        writeSplit("t10k", 3, 2, true);
        DataException e = assertThrows(DataException.class,
                () -> FashionMnist.load(dir, FashionMnist.Split.TEST, new FashionMnist.Options(true, true)));
        assertTrue(e.getMessage().contains("has 2 labels but t10k-images-idx3-ubyte.gz has 3 images"), e.getMessage());
    }
}

package org.waecompress.experiments.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.spi.error.DataException;

class ImageFolderDatasetTest {

    @TempDir
    Path dir;

    static void image(Path f, Color c, int w, int h) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        var g = img.createGraphics();
        g.setColor(c);
        g.fillRect(0, 0, w, h);
        g.dispose();
        Files.createDirectories(f.getParent());
        ImageIO.write(img, "png", f.toFile());
    }

    @Test
    void readsClassFoldersResizedAndCropped() throws Exception {
        image(dir.resolve("cat/a.png"), Color.RED, 40, 30);
        image(dir.resolve("cat/b.png"), Color.RED, 30, 40);
        image(dir.resolve("dog/c.png"), Color.BLUE, 50, 50);
        ImageFolderDataset ds = ImageFolderDataset.open(dir, 20, 16);
        assertEquals(3, ds.size());
        assertEquals(List.of("cat", "dog"), ds.classNames());
        assertEquals(new Shape(3, 16, 16), ds.sampleShape());
        try (NDManager m = NDManager.newBaseManager()) {
            NDList b = ds.batch(m, new int[] {0, 2});
            assertEquals(new Shape(2, 3, 16, 16), b.get(0).getShape());
            float[] labels = b.get(1).toFloatArray();
            assertEquals(0f, labels[0]);
            assertEquals(1f, labels[1]);
            // red image: channel 0 high, channel 2 low after ImageNet normalisation
            float[] px = new float[3 * 16 * 16];
            ds.copyImage(0, px, 0);
            assertTrue(px[0] > 2.0f && px[2 * 256] < -1.5f, px[0] + " " + px[2 * 256]);
        }
        assertEquals(1, ds.label(2));
    }

    @Test
    void missingOrEmptyFolderIsAnError() throws Exception {
        DataException e = assertThrows(DataException.class, () -> ImageFolderDataset.open(dir.resolve("x"), 8, 8));
        assertTrue(e.getMessage().contains("image folder not found"), e.getMessage());
        Files.createDirectories(dir.resolve("empty"));
        assertThrows(DataException.class, () -> ImageFolderDataset.open(dir.resolve("empty"), 8, 8));
    }
}

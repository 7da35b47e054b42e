package org.waecompress.wae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.io.AtomicFiles;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;

/**
 * The paper's picture of what the encoder learned: for a few images, the input, I_L, I_H and the
 * reconstruction, one row per image. Each tile is contrast-stretched on its own (min to black, max to
 * white), so a near-zero I_H is still visible, and its value range is printed under it.
 */
public final class ChannelGrid {

    private static final int TILE = 96;
    private static final int LABEL = 14;

    private ChannelGrid() {}

    /**
     * Renders the grid of a WAE-shaped network (in training mode it returns I_L and I_H, and the
     * reconstruction when it has a decoder).
     *
     * @param network a waeClassifier or waeAutoencoder network
     * @param data images to show
     * @param count how many images (rows)
     * @param title the caption
     * @return the picture
     */
    public static BufferedImage render(Network network, ImageDataset data, int count, String title) {
        int n = Math.min(count, data.size());
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i * Math.max(1, data.size() / n);
        }
        try (NDManager m = Devices.newManager(); BuiltNetwork b = network.build(m)) {
            b.block().freezeParameters(true);
            NDArray x = data.batch(m, idx).get(0);
            NDList out = b.forward(new NDList(x), true);
            boolean auto = network.spec().root() instanceof WaeAutoencoder;
            NDArray il = out.get(1);
            NDArray ih = out.get(2);
            NDArray rec = auto ? out.get(0) : (out.size() > 3 ? out.get(3) : null);
            List<String> cols = new ArrayList<>(List.of("input", "I_L", "I_H"));
            if (rec != null) {
                cols.add("reconstruction");
            }
            int top = 2 * LABEL + 4;
            BufferedImage img = new BufferedImage(cols.size() * TILE, top + n * (TILE + LABEL),
                    BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 11));
            g.drawString(title, 4, LABEL - 2);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            for (int c = 0; c < cols.size(); c++) {
                g.drawString(cols.get(c), c * TILE + 4, 2 * LABEL);
            }
            for (int r = 0; r < n; r++) {
                NDArray[] tiles = {x.get(r), il.get(r), ih.get(r), rec == null ? null : rec.get(r)};
                for (int c = 0; c < cols.size(); c++) {
                    drawTile(g, tiles[c], c * TILE, top + r * (TILE + LABEL));
                }
            }
            g.dispose();
            return img;
        }
    }

    /**
     * Places pictures side by side (for {@code wae} next to {@code decomposition}).
     *
     * @param pictures the pictures
     * @return the combined picture
     */
    public static BufferedImage sideBySide(List<BufferedImage> pictures) {
        int w = pictures.stream().mapToInt(BufferedImage::getWidth).sum() + 8 * (pictures.size() - 1);
        int h = pictures.stream().mapToInt(BufferedImage::getHeight).max().orElse(1);
        BufferedImage out = new BufferedImage(Math.max(1, w), h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), h);
        int x = 0;
        for (BufferedImage p : pictures) {
            g.drawImage(p, x, 0, null);
            x += p.getWidth() + 8;
        }
        g.dispose();
        return out;
    }

    /**
     * Writes a picture as PNG (temporary file, then move).
     *
     * @param img the picture
     * @param file the target
     */
    public static void write(BufferedImage img, Path file) {
        try {
            AtomicFiles.write(file, out -> ImageIO.write(img, "png", out));
        } catch (IOException e) {
            throw new CompressionException(file + ": cannot write picture: " + e.getMessage(), e);
        }
    }

    /**
     * Writes a strategy's grid into {@code dir/channels/ID.png} and, once both {@code wae} and
     * {@code decomposition} grids exist there, the side-by-side {@code wae_vs_decomposition.png}.
     *
     * @param network the trained network (with its decoder, if any)
     * @param data images to show
     * @param id the strategy id
     * @param dir the strategy output folder, or null to skip
     */
    static void publish(Network network, ImageDataset data, String id, Path dir) {
        if (dir == null) {
            return;
        }
        Path folder = dir.resolve("channels");
        write(render(network, data, 6, id + ": " + network.spec().name()), folder.resolve(id + ".png"));
        Path a = folder.resolve("wae.png");
        Path b = folder.resolve("decomposition.png");
        if (java.nio.file.Files.exists(a) && java.nio.file.Files.exists(b)) {
            try {
                write(sideBySide(List.of(ImageIO.read(a.toFile()), ImageIO.read(b.toFile()))),
                        folder.resolve("wae_vs_decomposition.png"));
            } catch (IOException e) {
                throw new CompressionException(folder + ": cannot combine pictures: " + e.getMessage(), e);
            }
        }
    }

    private static void drawTile(Graphics2D g, NDArray t, int x0, int y0) {
        if (t == null) {
            return;
        }
        long c = t.getShape().get(0);
        int h = (int) t.getShape().get(1);
        int w = (int) t.getShape().get(2);
        // Show the first three channels as RGB, or the first one as grey.
        float[] v = t.toFloatArray();
        float lo = Float.MAX_VALUE;
        float hi = -Float.MAX_VALUE;
        for (float f : v) {
            lo = Math.min(lo, f);
            hi = Math.max(hi, f);
        }
        float span = hi > lo ? hi - lo : 1f;
        BufferedImage tile = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int xx = 0; xx < w; xx++) {
                int[] rgb = new int[3];
                for (int k = 0; k < 3; k++) {
                    int ch = c >= 3 ? k : 0;
                    rgb[k] = Math.round(255 * (v[(ch * h + y) * w + xx] - lo) / span);
                }
                tile.setRGB(xx, y, (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]);
            }
        }
        g.drawImage(tile, x0 + 2, y0 + 2, TILE - 4, TILE - 4, null);
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 9));
        g.drawString(String.format(java.util.Locale.ROOT, "[%.2g, %.2g]", lo, hi), x0 + 3, y0 + TILE + 9);
    }
}

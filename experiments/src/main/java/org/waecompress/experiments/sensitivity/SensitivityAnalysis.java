package org.waecompress.experiments.sensitivity;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.waecompress.experiments.result.SensitivityCell;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.LayerwiseStrategy;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.error.DataException;
import org.waecompress.spi.io.AtomicFiles;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.train.Accuracy;
import org.waecompress.spi.train.Evaluator;
import org.waecompress.spi.train.Progress;
import org.waecompress.spi.train.ProgressListener;

/**
 * Runs a sensitivity analysis: every unit of a layerwise strategy compressed alone to every ratio,
 * without fine-tuning, and its top-1 error on a held-out slice, as in Distiller's and NNI's
 * sensitivity analyses. Each finished cell is appended to {@code sensitivity.jsonl} at once, so a
 * resumed analysis measures only the missing cells; a cut-off last line is measured again.
 */
public final class SensitivityAnalysis {

    /** The cells file in the output folder. */
    public static final String FILE = "sensitivity.jsonl";

    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

    /**
     * What an analysis measured.
     *
     * @param baseError the uncompressed network's top-1 error on the slice, in [0, 1]
     * @param baseMacs its MACs
     * @param units the units, in network order
     * @param ratios the ratios, as given
     * @param cells one per unit and ratio, in unit then ratio order
     */
    public record Result(double baseError, long baseMacs, List<String> units, List<Double> ratios,
            List<SensitivityCell> cells) {

        /**
         * Returns the cell of a unit at a ratio.
         *
         * @param unit the unit
         * @param ratio the ratio
         * @return the cell, or null
         */
        public SensitivityCell cell(String unit, double ratio) {
            return cells.stream().filter(c -> c.unit().equals(unit) && c.ratio() == ratio).findFirst().orElse(null);
        }
    }

    /** The first line of the cells file: what the cells are relative to. */
    record Header(String strategy, double baseError, long baseMacs, int images, long seed, String settings,
            String heldOut) {}

    /**
     * Draws the held-out images of an analysis: {@code count} images of the training split at random
     * (without replacement) from the seed, never test images, so that a budget chosen on them can be
     * scored on the test split without having seen it.
     *
     * @param train the training split
     * @param count how many (at most the split's size)
     * @param seed the run's seed
     * @return the images
     */
    public static ImageDataset heldOut(ImageDataset train, int count, long seed) {
        int k = Math.min(count, train.size());
        return train.sample(k, seed ^ 0x5E45171L, "(sensitivity held-out: " + k + " training images drawn with seed "
                + seed + ")");
    }

    /** The settings a cell depends on, as sorted key=value text. */
    private static String settingsText(CompressionContext ctx) {
        java.util.TreeMap<String, String> m = new java.util.TreeMap<>();
        ctx.settings().getKeys().forEachRemaining(k -> m.put(k, ctx.settings().getString(k)));
        return m.toString();
    }

    private SensitivityAnalysis() {}

    /**
     * Runs (or continues) the analysis.
     *
     * @param strategy the strategy
     * @param ctx its context (settings, calibration data, seed)
     * @param trained the trained network (unchanged)
     * @param heldOut the images the error is measured on
     * @param ratios the ratios, each in (0, 1)
     * @param dir the output folder (its cells file is continued when it holds cells of this analysis)
     * @param listener progress
     * @return the result
     */
    public static Result run(LayerwiseStrategy strategy, CompressionContext ctx, Network trained,
            ImageDataset heldOut, List<Double> ratios, Path dir, ProgressListener listener) {
        for (double r : ratios) {
            if (!(r > 0 && r < 1)) {
                throw new IllegalArgumentException("--ratios: " + r + " is not in (0, 1); give fractions such as "
                        + "0.9,0.7,0.5,0.3");
            }
        }
        List<String> units = strategy.units(trained.spec(), ctx);
        Path file = dir.resolve(FILE);
        Evaluator eval = new Evaluator(ProgressListener.NONE);
        Map<String, SensitivityCell> done = new LinkedHashMap<>();
        Header header = read(file, ctx.strategyId(), heldOut.size(), ctx.seed(), settingsText(ctx), heldOut.name(),
                done);
        if (header == null) {
            Accuracy base = eval.evaluate("sensitivity: uncompressed", trained, heldOut, 250);
            header = new Header(ctx.strategyId(), base.top1Error(), CostReport.of(trained.spec()).totalMacs(),
                    heldOut.size(), ctx.seed(), settingsText(ctx), heldOut.name());
            append(file, GSON.toJson(header));
        } else if (!done.isEmpty()) {
            listener.message("sensitivity: resuming with " + done.size() + " of " + units.size() * ratios.size()
                    + " cells measured (" + file + ")");
        }
        Progress progress = new Progress(listener, "sensitivity " + ctx.strategyId(), (long) units.size()
                * ratios.size());
        List<SensitivityCell> cells = new ArrayList<>();
        for (String unit : units) {
            for (double ratio : ratios) {
                SensitivityCell c = done.get(key(unit, ratio));
                if (c == null) {
                    try (Network one = strategy.compressUnit(trained, unit, ratio, ctx)) {
                        Accuracy a = eval.evaluate("sensitivity " + unit, one, heldOut, 250);
                        c = new SensitivityCell(unit, ratio, a.top1Error(), 100 * (a.top1Error()
                                - header.baseError()), CostReport.of(one.spec()).totalMacs());
                    }
                    append(file, GSON.toJson(c));
                }
                cells.add(c);
                progress.step(1, String.format(Locale.ROOT, "%s at %.2f: %+.2f points", unit, ratio, c.drop()));
            }
        }
        return new Result(header.baseError(), header.baseMacs(), units, List.copyOf(ratios), cells);
    }

    private static String key(String unit, double ratio) {
        return unit + "@" + ratio;
    }

    /** Reads the header and cells of an earlier run of the same analysis; null when there is none. */
    private static Header read(Path file, String strategy, int images, long seed, String settings, String heldOut,
            Map<String, SensitivityCell> into) {
        if (!Files.exists(file)) {
            return null;
        }
        List<String> lines;
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
            lines = text.lines().toList();
        } catch (IOException e) {
            throw new CompressionException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (lines.isEmpty()) {
            return null;
        }
        Header h;
        try {
            h = GSON.fromJson(lines.get(0), Header.class);
        } catch (JsonParseException e) {
            throw new DataException(file + ": line 1 is not a sensitivity header; delete the file to start over");
        }
        if (h != null && strategy.equals(h.strategy()) && h.images() == images
                && (h.seed() != seed || !settings.equals(h.settings()))) {
            throw new DataException(file + ": was measured with seed " + h.seed() + " and settings " + h.settings()
                    + ", not seed " + seed + " and " + settings + "; resume with the same settings, or use another "
                    + "--out");
        }
        if (h == null || !strategy.equals(h.strategy()) || h.images() != images) {
            throw new DataException(file + ": holds an analysis of " + (h == null ? "?" : h.strategy() + " on "
                    + h.images() + " images") + ", not of " + strategy + " on " + images + "; use another --out or "
                    + "delete the file");
        }
        if (!heldOut.equals(h.heldOut())) {
            throw new DataException(file + ": was measured on " + (h.heldOut() == null
                    ? "the first " + h.images() + " test images (before held-out images came from the training split)"
                    : h.heldOut()) + ", not on " + heldOut + "; use another --out or delete the file");
        }
        boolean cut = !text.endsWith("\n");
        for (int i = 1; i < lines.size(); i++) {
            try {
                SensitivityCell c = GSON.fromJson(lines.get(i), SensitivityCell.class);
                into.put(key(c.unit(), c.ratio()), c);
            } catch (JsonParseException | NullPointerException e) {
                if (cut && i == lines.size() - 1) {
                    // a run killed while appending: the cut line goes, and its cell is measured again
                    try {
                        AtomicFiles.writeString(file, String.join("\n", lines.subList(0, i)) + "\n");
                    } catch (IOException io) {
                        throw new CompressionException(file + ": cannot drop its cut-off last line: "
                                + io.getMessage(), io);
                    }
                    continue;
                }
                throw new DataException(file + ": line " + (i + 1) + " is not a sensitivity cell ("
                        + e.getMessage() + ")");
            }
        }
        return h;
    }

    private static void append(Path file, String json) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, json + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.SYNC);
        } catch (IOException e) {
            throw new CompressionException(file + ": cannot append: " + e.getMessage(), e);
        }
    }
}

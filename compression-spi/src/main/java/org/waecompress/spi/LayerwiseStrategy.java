package org.waecompress.spi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.setting.Setting;
import org.waecompress.spi.spec.NetworkSpec;

/**
 * A strategy that compresses a network unit by unit (a layer, or a channel group), each to its own
 * ratio: what a per-layer sensitivity analysis ({@code waec sensitivity}) compresses one unit at a
 * time, and what a per-layer budget feeds back through the shared {@link #LAYER_RATIOS} setting.
 * ThiNet, Taylor pruning and low-rank decomposition implement it.
 *
 * <p>A ratio is in (0, 1): for pruning, the fraction of a unit's channels it keeps; for low-rank,
 * the fraction of a layer's MACs its decomposition keeps (its rank follows).
 */
public interface LayerwiseStrategy {

    /**
     * The per-layer ratios, shared by every layerwise strategy. When set, only the listed units are
     * compressed, each to its ratio, and the strategy's uniform ratio or target is not used.
     */
    Setting<String> LAYER_RATIOS = Setting.text("layerRatios", "", "per-unit ratios path:ratio,path:ratio (from waec "
            + "sensitivity --target-speedup); when set, only these units are compressed, each to its ratio, instead "
            + "of the uniform ratio or target").shownAs("(none: the uniform setting)");

    /**
     * The units the strategy compresses, in network order, named by path (a channel group by its first
     * producer).
     *
     * @param spec the network
     * @param ctx the strategy's settings
     * @return the unit paths
     */
    List<String> units(NetworkSpec spec, CompressionContext ctx);

    /**
     * Compresses one unit to a ratio, everything else unchanged, without fine-tuning.
     *
     * @param net the trained network (unchanged)
     * @param unit a path from {@link #units}
     * @param ratio the ratio, in (0, 1)
     * @param ctx the strategy's context (its training data serves as calibration data)
     * @return the compressed network; the caller closes it
     */
    Network compressUnit(Network net, String unit, double ratio, CompressionContext ctx);

    /**
     * Reads and checks the {@link #LAYER_RATIOS} setting.
     *
     * @param ctx the context
     * @param units the units the strategy can compress, for the message
     * @return unit path to ratio, in the order written; empty when the setting is not set
     * @throws InvalidSettingException naming the key for a malformed entry, a ratio outside (0, 1] or an
     *     unknown unit
     */
    static Map<String, Double> layerRatios(CompressionContext ctx, List<String> units) {
        // a YAML list or a delimited value arrives as several strings
        String text = String.join(",", ctx.settings().getStringArray(LAYER_RATIOS.name()));
        return parse(ctx.key(LAYER_RATIOS.name()), text, units);
    }

    /**
     * Parses per-unit ratios.
     *
     * @param key the key, for messages
     * @param text {@code path:ratio,path:ratio}, or blank
     * @param units the valid paths (null: not checked)
     * @return path to ratio
     */
    static Map<String, Double> parse(String key, String text, List<String> units) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String part : text.split(",")) {
            int colon = part.lastIndexOf(':');
            String path = colon < 0 ? "" : part.substring(0, colon).trim();
            double r;
            try {
                r = colon < 0 ? Double.NaN : Double.parseDouble(part.substring(colon + 1).trim());
            } catch (NumberFormatException e) {
                r = Double.NaN;
            }
            if (path.isEmpty() || !(r > 0 && r <= 1)) {
                throw new InvalidSettingException(key, text, "entry '" + part.trim() + "' must be path:ratio with a "
                        + "ratio in (0, 1], such as features.0:0.5");
            }
            if (units != null && !units.contains(path)) {
                throw new InvalidSettingException(key, text, "'" + path + "' is not a unit this strategy compresses; "
                        + "its units: " + String.join(", ", units));
            }
            out.put(path, r);
        }
        return out;
    }

    /**
     * Writes per-unit ratios as the setting's value.
     *
     * @param ratios path to ratio
     * @return {@code path:ratio,...}
     */
    static String format(Map<String, Double> ratios) {
        return ratios.entrySet().stream().map(e -> e.getKey() + ":" + String.format(Locale.ROOT, "%.4g",
                e.getValue())).collect(Collectors.joining(","));
    }
}

package org.waecompress.experiments.harness;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.waecompress.experiments.config.ExperimentConfig;
import org.waecompress.spi.error.DataException;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.plugin.StackedStrategy;
import org.waecompress.spi.plugin.StrategyVariant;

/**
 * Keeps a run folder's rows true to the plan its provenance describes: a {@code --resume} whose
 * plan differs in any key that can change a row's numbers is refused, naming the first such key;
 * keys that cannot (the run's name, which strategies to run, output options, and the settings of a
 * strategy that has no stored row or checkpoint yet) may differ and are recorded as a resume layer in
 * {@code provenance.json}.
 */
public final class ResumeCheck {

    /**
     * Keys, or key prefixes ending in a dot, that do not change any row's numbers: a resume may
     * change them. Every other key (seed, backbone, data, budgets, latency, strategy settings) may not.
     */
    public static final List<String> FREE = List.of("experiment.name", "experiment.then", "strategies", "output.",
            "run.executor", "spark.");

    private ResumeCheck() {}

    /**
     * Tells whether a key's value can change a row's numbers.
     *
     * @param key the key
     * @return true unless the key is in {@link #FREE}
     */
    public static boolean affectsResults(String key) {
        return FREE.stream().noneMatch(p -> p.endsWith(".") ? key.startsWith(p) : key.equals(p));
    }

    /**
     * Reads a run folder's provenance.
     *
     * @param dir the run folder
     * @return the provenance object, or null when the folder has none
     * @throws DataException when the file is damaged
     */
    static JsonObject provenance(Path dir) {
        Path f = new RunFolder(dir).provenance();
        if (!Files.exists(f)) {
            return null;
        }
        try {
            JsonObject o = JsonParser.parseString(Files.readString(f)).getAsJsonObject();
            if (!o.has("config") || !o.get("config").isJsonObject()) {
                throw new IllegalStateException("no config object");
            }
            return o;
        } catch (IOException | RuntimeException e) {
            throw new DataException(f + ": cannot read the run's plan (" + e.getMessage() + "); it is needed to "
                    + "check that --resume continues the same plan; start a new run folder with --out");
        }
    }

    /**
     * Compares the plan stored in a run folder's provenance with the plan of a resume.
     *
     * @param dir the run folder, for messages
     * @param stored the stored provenance
     * @param now the resume's configuration
     * @param started the rows with a stored result or a checkpoint (their strategy's settings are fixed)
     * @return the keys that differ (all free), key to {old, new}
     * @throws InvalidSettingException naming the first key that differs and can change results
     */
    static Map<String, String[]> compare(Path dir, JsonObject stored, ExperimentConfig now, Set<String> started) {
        JsonObject cfg = stored.getAsJsonObject("config");
        Map<String, String[]> changed = new LinkedHashMap<>();
        TreeSet<String> keys = new TreeSet<>(now.values().keySet());
        keys.addAll(cfg.keySet());
        for (String k : keys) {
            String before = value(cfg.get(k));
            String after = now.values().get(k);
            if (before == null && ExperimentConfig.DEFAULTS_LAYER.equals(now.sources().get(k))) {
                // a key newer than the run's version, at its default: the value that version used
                continue;
            }
            // a strategy key no layer sets is at the strategy's own default
            before = before == null ? "(the strategy's default)" : before;
            after = after == null ? "(the strategy's default)" : after;
            if (before.equals(after)) {
                continue;
            }
            // the settings (and variant definitions) of a strategy whose row has not started yet are free
            // (a variant or a stack stage that inherits the key from its base counts as that base)
            boolean notStarted = (k.startsWith("strategy.") || k.startsWith("variant."))
                    && started.stream().noneMatch(row -> reaches(now, row, k.split("\\.", 3)[1]));
            if (affectsResults(k) && !notStarted) {
                throw new InvalidSettingException(k, after, "differs from the plan that computed the rows in " + dir
                        + " (" + k + " = " + before + "); a resume continues the same plan: drop the change, or "
                        + "start a new run folder with --out");
            }
            changed.put(k, new String[] {before, after});
        }
        return changed;
    }

    private static String value(JsonElement e) {
        if (e == null || !e.isJsonObject() || !e.getAsJsonObject().has("value")) {
            return null;
        }
        return e.getAsJsonObject().get("value").getAsString();
    }

    /**
     * Says whether a row's strategy reads the keys of {@code id}: it is {@code id}, a stack with a stage that
     * does, or a variant whose base does (a variant inherits its base's keys).
     */
    static boolean reaches(ExperimentConfig config, String row, String id) {
        if (row.equals(id)) {
            return true;
        }
        if (StackedStrategy.isStack(row)) {
            return StackedStrategy.stageIds(row).stream().anyMatch(stage -> reaches(config, stage, id));
        }
        if (config.strategies() != null && config.strategies().ids().contains(row)
                && config.strategies().get(row) instanceof StrategyVariant v) {
            return reaches(config, v.base().id(), id);
        }
        return false;
    }
}

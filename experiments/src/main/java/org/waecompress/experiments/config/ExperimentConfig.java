package org.waecompress.experiments.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.configuration2.CompositeConfiguration;
import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ImmutableConfiguration;
import org.apache.commons.configuration2.MapConfiguration;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.plugin.StackedStrategy;
import org.waecompress.spi.plugin.StrategyRegistry;
import org.waecompress.spi.plugin.StrategyVariant;
import org.waecompress.spi.setting.Setting;

/**
 * The run's configuration, from four layers (highest first): {@code --set key=value}, system
 * properties {@code waec.<key>}, the user's file ({@code --config}, {@code .properties} or {@code
 * .yaml}), then a preset ({@code --preset}, a file on the classpath) and the defaults that {@link
 * HarnessSettings} declares. It is read once and snapshot; every key is checked (an unknown key names the nearest
 * known one) and the layer each value came from is kept for the run's provenance.
 */
public final class ExperimentConfig {

    /** The system-property prefix of configuration keys. */
    public static final String SYSTEM_PREFIX = "waec.";

    /**
     * Keys a follow-up plan ({@code experiment.then}) takes from the plan before it when the user set
     * them: which strategies, their settings, and where and how latency is measured.
     */
    public static final List<String> INHERITED = List.of("strategies", "strategy.", "variant.", "latency.engine",
            "latency.gapMs", "latency.threads");

    /** The label of the defaults layer in {@link #sources()}. */
    public static final String DEFAULTS_LAYER = "defaults";

    /** The start of a preset layer's label in {@link #sources()} ({@code preset quick}). */
    public static final String PRESET_LAYER = "preset ";

    private final Map<String, String> values;
    private final Map<String, String> sources;
    /** The keys whose value came from a layer the user did not write (the declared defaults, a preset). */
    private final Set<String> fromShipped;
    /** The installed strategies with the variants this plan defines. */
    private final StrategyRegistry strategies;

    private ExperimentConfig(Map<String, String> values, Map<String, String> sources, StrategyRegistry strategies,
            Set<String> fromShipped) {
        this.values = Collections.unmodifiableMap(values);
        this.sources = Collections.unmodifiableMap(sources);
        this.strategies = strategies;
        this.fromShipped = Set.copyOf(fromShipped);
    }

    /**
     * Says whether the user set a key (on the command line, in a system property or in their file), rather
     * than its value coming from the declared defaults or a preset.
     *
     * @param key the key
     * @return whether a layer the user wrote gave its value
     */
    public boolean userSet(String key) {
        return values.containsKey(key) && !fromShipped.contains(key);
    }

    /**
     * Returns a harness setting's value, typed (every value was checked when the plan loaded).
     *
     * @param <T> the value type
     * @param setting a {@link HarnessSettings} setting
     * @return the value
     */
    public <T> T get(Setting<T> setting) {
        return setting.parse(setting.name(), values.get(setting.name()));
    }

    /**
     * Loads and validates the configuration.
     *
     * @param sets {@code --set} pairs
     * @param userFile the {@code --config} file, or null
     * @param preset the preset name, or null
     * @param system the system properties
     * @param strategies the installed strategies, whose declared settings are the {@code strategy.*} keys
     *     (with the variants the plan defines)
     * @return the snapshot
     * @throws InvalidSettingException for an unknown key or a bad value
     */
    public static ExperimentConfig load(Map<String, String> sets, Path userFile, String preset, Properties system,
            StrategyRegistry strategies) {
        return load(sets, "--set", userFile, preset, system, strategies);
    }

    /**
     * Loads the configuration of the plan that follows this one ({@code experiment.then}): the
     * preset or plan file it names, with the values of {@link #INHERITED} keys that the user gave this
     * plan (not those of its defaults or preset), and its run folder inside this plan's.
     *
     * @param outputDir the follow-up's run folder
     * @param strategies the installed strategies
     * @return the follow-up's snapshot, or null when this plan names none
     */
    public ExperimentConfig then(Path outputDir, StrategyRegistry strategies) {
        String next = get("experiment.then");
        if (next.isEmpty()) {
            return null;
        }
        boolean preset = Presets.exists(next);
        Map<String, String> inherited = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (userSet(k) && INHERITED.stream().anyMatch(p -> p.endsWith(".") ? k.startsWith(p) : k.equals(p))) {
                inherited.put(k, v);
            }
        });
        inherited.put("experiment.then", "");
        inherited.put("output.dir", outputDir.toString());
        return load(inherited, "inherited from the plan before", preset ? null : Path.of(next), preset ? next : null,
                new Properties(), strategies);
    }

    /**
     * Returns the folder name of the plan that follows this one: the preset's name or the plan
     * file's name without its extension.
     *
     * @return the name, or empty when no plan follows
     */
    public String thenName() {
        String next = get("experiment.then");
        if (next.isEmpty() || Presets.exists(next)) {
            return next;
        }
        String f = Path.of(next).getFileName().toString();
        return f.contains(".") ? f.substring(0, f.lastIndexOf('.')) : f;
    }

    private static ExperimentConfig load(Map<String, String> sets, String setsLayer, Path userFile, String preset,
            Properties system, StrategyRegistry installed) {
        CompositeConfiguration composite = new CompositeConfiguration();
        Map<Configuration, String> layerNames = new LinkedHashMap<>();
        MapConfiguration cli = new MapConfiguration(new LinkedHashMap<>(sets));
        add(composite, layerNames, cli, setsLayer);
        Map<String, Object> sys = new LinkedHashMap<>();
        for (String k : system.stringPropertyNames()) {
            if (k.startsWith(SYSTEM_PREFIX)) {
                sys.put(k.substring(SYSTEM_PREFIX.length()), system.getProperty(k));
            }
        }
        add(composite, layerNames, new MapConfiguration(sys), "system property");
        if (userFile != null) {
            add(composite, layerNames, PlanFiles.read(userFile), "--config " + userFile);
        }
        Set<Configuration> shipped = new java.util.HashSet<>();
        if (preset != null) {
            if (!Presets.exists(preset)) {
                throw new BadInputException("unknown preset '" + preset + "'; known presets: " + String.join(", ",
                        Presets.names()) + " (or write your own file and pass it with --config)");
            }
            Configuration p = PlanFiles.classpath("presets/" + preset + ".properties");
            shipped.add(p);
            add(composite, layerNames, p, PRESET_LAYER + preset);
        }
        Map<String, Object> defaults = new LinkedHashMap<>();
        HarnessSettings.ALL.forEach(st -> defaults.put(st.name(), HarnessSettings.defaultValue(st)));
        MapConfiguration d = new MapConfiguration(defaults);
        // an empty default ("") would read as no value in a list-splitting configuration
        d.setListDelimiterHandler(new org.apache.commons.configuration2.convert.DisabledListDelimiterHandler());
        shipped.add(d);
        add(composite, layerNames, d, DEFAULTS_LAYER);
        Map<String, String> values = new TreeMap<>();
        Map<String, String> sources = new TreeMap<>();
        List<String> keys = new ArrayList<>();
        composite.getKeys().forEachRemaining(keys::add);
        Map<String, String> layers = new LinkedHashMap<>();
        Map<String, String> raw = new LinkedHashMap<>();
        Set<String> fromShipped = new java.util.HashSet<>();
        for (String key : keys) {
            // The highest layer holding the key supplied it (getSource rejects keys in several layers).
            Map.Entry<Configuration, String> top = layerNames.entrySet().stream().filter(e -> e.getKey()
                    .containsKey(key)).findFirst().orElse(null);
            layers.put(key, top == null ? "?" : top.getValue());
            if (top != null && shipped.contains(top.getKey())) {
                fromShipped.add(key);
            }
            raw.put(key, String.join(",", composite.getList(String.class, key, List.of())));
        }
        // the plan's own variants are strategies too: their settings are strategy.<variant>.* keys
        Map<String, String> variantKeys = new LinkedHashMap<>();
        raw.forEach((k, v) -> {
            if (k.startsWith(StrategyVariant.PREFIX)) {
                variantKeys.put(k, v.trim());
            }
        });
        String variantLayers = variantKeys.keySet().stream().map(layers::get).distinct()
                .collect(java.util.stream.Collectors.joining(", "));
        StrategyRegistry strategies = installed.withVariants(variantKeys, "from " + variantLayers);
        Map<String, Setting<?>> declared = new TreeMap<>();
        for (String id : strategies.ids()) {
            strategies.get(id).settings().forEach(st -> declared.put("strategy." + id + "." + st.name(), st));
        }
        Set<String> known = new TreeSet<>(HarnessSettings.all().keySet());
        known.addAll(declared.keySet());
        for (String key : keys) {
            String layer = layers.get(key);
            String value = raw.get(key);
            if (key.startsWith(StrategyVariant.PREFIX)) {
                values.put(key, value.trim());
                sources.put(key, layer);
                continue;
            }
            if (!known.contains(key)) {
                // A shipped preset may tune strategies that are not installed here; skip those keys.
                if (fromShipped.contains(key) && key.startsWith("strategy.")
                        && !strategies.ids().contains(key.split("\\.", 3)[1])) {
                    continue;
                }
                throw unknown(key, value, layer, known, strategies.ids());
            }
            Setting<?> st = declared.containsKey(key) ? declared.get(key) : HarnessSettings.all().get(key);
            if (st != null) {
                try {
                    st.parse(key, value);
                } catch (InvalidSettingException e) {
                    throw new InvalidSettingException(key, value, e.reason() + " (from " + layer + ")");
                }
            }
            values.put(key, value.trim());
            sources.put(key, layer);
        }
        String then = values.getOrDefault("experiment.then", "");
        if (!then.isEmpty() && !Presets.exists(then) && !Files.isRegularFile(Path.of(then))) {
            throw new InvalidSettingException("experiment.then", then, "no such preset (" + String.join(", ",
                    Presets.names())
                    + ") or plan file (from " + sources.get("experiment.then") + ")");
        }
        return new ExperimentConfig(values, sources, strategies, fromShipped);
    }

    private static InvalidSettingException unknown(String key, String value, String layer, Set<String> known,
            Set<String> strategies) {
        String near = HarnessSettings.nearest(key, known);
        if (key.startsWith("strategy.")) {
            String[] p = key.split("\\.", 3);
            if (p.length >= 2 && StackedStrategy.isStack(p[1])) {
                return new InvalidSettingException(key, value, "unknown key (from " + layer + "): a stack has no "
                        + "settings of its own; each stage runs with its strategy.<stage>.* keys, and a stage tuned "
                        + "differently in a stack is a variant (variant.ID.base=...) stacked by its id");
            }
            if (p.length >= 2 && !strategies.contains(p[1])) {
                return new InvalidSettingException(key, value, "unknown key (from " + layer
                        + "): no installed strategy '"
                        + p[1] + "'; installed: " + String.join(", ", new TreeSet<>(strategies)));
            }
        }
        String renamed = key.startsWith("strategy.") && key.endsWith(".epochs")
                ? key.substring(0, key.length() - "epochs".length()) + CompressionContext.FINE_TUNE_EPOCHS : null;
        if (renamed != null && known.contains(renamed)) {
            // resize's own key before every strategy's fine-tune epochs became one setting
            return new InvalidSettingException(key, value, "unknown key (from " + layer + "): it is now '" + renamed
                    + "', the fine-tune epochs every strategy reads");
        }
        return new InvalidSettingException(key, value, "unknown key (from " + layer + ")"
                + (near == null ? "; see docs/configuration.md" : "; did you mean '" + near + "'?"));
    }

    private static void add(CompositeConfiguration c, Map<Configuration, String> names, Configuration layer,
            String name) {
        c.addConfiguration(layer);
        names.put(layer, name);
    }

    /**
     * Returns a value.
     *
     * @param key the key
     * @return the value (never null for a known key: every key has a default)
     */
    public String get(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalStateException("no value for " + key);
        }
        return v;
    }

    /**
     * Returns every effective value, sorted by key.
     *
     * @return key to value
     */
    public Map<String, String> values() {
        return values;
    }

    /**
     * Returns the layer each value came from.
     *
     * @return key to layer name
     */
    public Map<String, String> sources() {
        return sources;
    }

    /**
     * Returns one strategy's settings, keys without the {@code strategy.<id>.} prefix; for a stack
     * ({@code A+B}), each stage's settings under its id ({@code A.ratio}).
     *
     * @param id the strategy id
     * @return the immutable subset
     */
    public ImmutableConfiguration strategy(String id) {
        if (StackedStrategy.isStack(id)) {
            Map<String, ImmutableConfiguration> stages = new LinkedHashMap<>();
            for (String stage : StackedStrategy.stageIds(id)) {
                stages.put(stage, strategySubset(stage));
            }
            return StackedStrategy.stageSettings(stages);
        }
        return strategySubset(id);
    }

    /**
     * Returns the installed strategies with the variants this plan defines (resolved once, when the plan
     * was loaded and its keys checked against them).
     *
     * @return the strategies a run of this plan can use
     */
    public StrategyRegistry strategies() {
        return strategies;
    }

    private ImmutableConfiguration strategySubset(String id) {
        Map<String, Object> m = new LinkedHashMap<>();
        inherit(id, m, Set.of());
        return new MapConfiguration(m);
    }

    /**
     * Puts {@code strategy.<id>.*} into {@code m}, then, for a variant, its base's keys for the settings that
     * neither a key already in {@code m} nor a variant's definition fixes: {@code strategy.thinet.channelMultiple}
     * reaches {@code thinet-70}, {@code strategy.thinet.ratio} does not (thinet-70's definition sets its ratio).
     */
    private void inherit(String id, Map<String, Object> m, Set<String> fixed) {
        String prefix = "strategy." + id + ".";
        values.forEach((k, v) -> {
            String name = k.startsWith(prefix) ? k.substring(prefix.length()) : null;
            if (name != null && !fixed.contains(name)) {
                m.putIfAbsent(name, v);
            }
        });
        if (strategies != null && strategies.ids().contains(id)
                && strategies.get(id) instanceof StrategyVariant variant) {
            Set<String> next = new HashSet<>(fixed);
            next.addAll(variant.values().keySet());
            inherit(variant.base().id(), m, next);
        }
    }

    /**
     * Returns the key a strategy's setting takes its value from in this plan: {@code strategy.<id>.<name>},
     * or, for a variant that inherits it, its base's key; null when the plan sets neither.
     *
     * @param id the strategy id (not a stack)
     * @param name the setting's name
     * @return the key, or null
     */
    public String keyOf(String id, String name) {
        String key = "strategy." + id + "." + name;
        if (values.containsKey(key)) {
            return key;
        }
        if (strategies != null && strategies.ids().contains(id) && strategies.get(id) instanceof StrategyVariant v
                && !v.values().containsKey(name)) {
            return keyOf(v.base().id(), name);
        }
        return null;
    }
}

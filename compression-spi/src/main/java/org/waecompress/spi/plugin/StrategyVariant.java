package org.waecompress.spi.plugin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.commons.configuration2.MapConfiguration;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.setting.Setting;
import org.waecompress.spi.spec.NetworkSpec;

/**
 * A strategy defined as data: another strategy's code under its own id, with other defaults for some
 * of its settings. {@code thinet-30} is {@code thinet} with {@code ratio} 0.3; a user adds
 * {@code my-thinet} to a plan with
 *
 * <pre>
 * variant.my-thinet.base = thinet
 * variant.my-thinet.ratio = 0.4
 * variant.my-thinet.description = ThiNet keeping 40% of every layer's channels
 * </pre>
 *
 * <p>and gets a row {@code my-thinet} whose settings are {@code strategy.my-thinet.*}. The shipped
 * variants are defined the same way, in {@value #RESOURCE} files of the plugin jars.
 */
public final class StrategyVariant implements CompressionStrategy {

    /** The prefix of variant definitions in a plan. */
    public static final String PREFIX = "variant.";

    /** Where plugin jars define their variants (properties, the plan's language). */
    public static final String RESOURCE = "META-INF/waec/variants.properties";

    /** The keys of a definition that are not the base's settings. */
    static final List<String> OWN_KEYS = List.of("base", "description");

    private final String id;
    private final CompressionStrategy base;
    private final Map<String, String> values;
    private final String description;
    private final List<Setting<?>> settings;

    /**
     * Defines a variant.
     *
     * @param id the variant's id
     * @param base the strategy whose code runs
     * @param values setting name to default, each one of the base's settings
     * @param description one line, or null for the base's with the changed values
     * @throws InvalidSettingException naming {@code variant.<id>.<key>} for a key the base does not
     *     declare or a value it does not allow
     */
    public StrategyVariant(String id, CompressionStrategy base, Map<String, String> values, String description) {
        this.id = id;
        this.base = base;
        this.values = Map.copyOf(values);
        Map<String, Setting<?>> byName = new LinkedHashMap<>();
        base.settings().forEach(s -> byName.put(s.name(), s));
        for (Map.Entry<String, String> e : values.entrySet()) {
            Setting<?> s = byName.get(e.getKey());
            String key = PREFIX + id + "." + e.getKey();
            if (s == null) {
                throw new InvalidSettingException(key, e.getValue(), "'" + e.getKey() + "' is not a setting of the "
                        + "base strategy; its settings: " + String.join(", ", byName.keySet()));
            }
            byName.put(s.name(), s.withDefault(key, e.getValue()));
        }
        this.settings = List.copyOf(byName.values());
        this.description = description != null && !description.isBlank() ? description.trim()
                : base.description() + " (" + values.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(", ")) + ")";
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String description() {
        return description;
    }

    /**
     * Returns the strategy whose code runs.
     *
     * @return the base
     */
    public CompressionStrategy base() {
        return base;
    }

    /**
     * Returns the defaults this variant changes.
     *
     * @return setting name to value as written
     */
    public Map<String, String> values() {
        return values;
    }

    @Override
    public List<Setting<?>> settings() {
        return settings;
    }

    @Override
    public void checkSettings(CompressionContext ctx) {
        base.checkSettings(inner(ctx));
    }

    @Override
    public NetworkSpec architecture(NetworkSpec backbone, CompressionContext ctx) {
        return base.architecture(backbone, inner(ctx));
    }

    @Override
    public Network compress(Network trained, CompressionContext ctx) {
        return base.compress(trained, inner(ctx));
    }

    @Override
    public String tableNote(CompressionContext ctx) {
        return base.tableNote(inner(ctx));
    }

    @Override
    public String architectureNote(CompressionContext ctx) {
        return base.architectureNote(inner(ctx));
    }

    @Override
    public boolean lastInStack() {
        return base.lastInStack();
    }

    /** The context the base sees: this variant's values under the user's, messages naming this id. */
    /**
     * Returns the context the base strategy runs with: the variant's values, overridden by the
     * context's own settings.
     *
     * @param ctx the variant's context
     * @return the base strategy's context
     */
    public CompressionContext contextFor(CompressionContext ctx) {
        return inner(ctx);
    }

    private CompressionContext inner(CompressionContext ctx) {
        Map<String, Object> merged = new LinkedHashMap<>(values);
        List<String> keys = new ArrayList<>();
        ctx.settings().getKeys().forEachRemaining(keys::add);
        for (String k : keys) {
            merged.put(k, ctx.settings().getProperty(k));
        }
        return new CompressionContext(ctx.strategyId(), new MapConfiguration(merged), ctx.seed(), ctx.trainData(),
                ctx.trainer(), ctx.fineTune(), ctx.progress(), ctx.outputDir());
    }
}

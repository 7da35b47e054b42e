package org.waecompress.spi.plugin;

import com.google.inject.AbstractModule;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Inject;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Provider;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.error.UnknownStrategyException;

/**
 * The installed strategies by id: those the plugins bind, and the variants ({@link StrategyVariant})
 * their jars define in {@value StrategyVariant#RESOURCE} and a plan defines with {@code variant.*}
 * keys. Asking for an unknown id lists the known ones.
 */
public final class StrategyRegistry {

    /** A variant as written: its base id, its values and where it was defined. */
    record Definition(String base, Map<String, String> values, String description, String source) {}

    private final Map<String, Provider<CompressionStrategy>> strategies;
    private final Map<String, Definition> variants;

    /**
     * Creates the registry from the map every plugin contributes to, with the variants defined in
     * the classpath's {@value StrategyVariant#RESOURCE} files.
     *
     * @param strategies providers by id
     * @throws InvalidSettingException for a variant definition that names no base or clashes
     */
    @Inject
    public StrategyRegistry(Map<String, Provider<CompressionStrategy>> strategies) {
        this(Map.copyOf(strategies), installable(shipped(), strategies.keySet()));
    }

    /**
     * Returns a registry of the given strategies (and the shipped variants of them), without Guice:
     * for tests and tools that pick their strategies by hand.
     *
     * @param strategies the strategies, each under its {@link CompressionStrategy#id()}
     * @return the registry
     */
    public static StrategyRegistry of(CompressionStrategy... strategies) {
        Map<String, Provider<CompressionStrategy>> m = new LinkedHashMap<>();
        for (CompressionStrategy st : strategies) {
            m.put(st.id(), () -> st);
        }
        return new StrategyRegistry(m);
    }

    /** The shipped variants whose base strategy (through other variants) is installed here. */
    private static Map<String, Definition> installable(Map<String, Definition> shipped, Set<String> bound) {
        Map<String, Definition> out = new LinkedHashMap<>();
        shipped.forEach((id, d) -> {
            String b = d.base();
            Set<String> seen = new java.util.HashSet<>();
            while (b != null && shipped.containsKey(b) && seen.add(b)) {
                b = shipped.get(b).base();
            }
            if (b != null && bound.contains(b)) {
                out.put(id, d);
            }
        });
        return out;
    }

    private StrategyRegistry(Map<String, Provider<CompressionStrategy>> strategies, Map<String, Definition> variants) {
        this.strategies = strategies;
        this.variants = Map.copyOf(variants);
        for (Map.Entry<String, Definition> e : variants.entrySet()) {
            String id = e.getKey();
            Definition d = e.getValue();
            String key = StrategyVariant.PREFIX + id + ".base";
            if (!ID.matcher(id).matches()) {
                throw new InvalidSettingException(key, d.base(), "variant id '" + id + "' (" + d.source() + ") must be "
                        + "lower case letters, digits and dashes, starting with a letter");
            }
            if (strategies.containsKey(id)) {
                throw new InvalidSettingException(key, d.base(), "'" + id + "' (" + d.source() + ") is already an "
                        + "installed strategy; give the variant another id");
            }
            if (d.base() == null || d.base().isBlank()) {
                throw new InvalidSettingException(key, "(missing)", "variant '" + id + "' (" + d.source() + ") must "
                        + "name its base strategy");
            }
        }
        // every variant must build: its base exists, no cycle, every value allowed
        variants.keySet().forEach(this::get);
    }

    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9-]*");

    /**
     * Returns a registry that also has the variants a plan defines ({@code variant.<id>.base},
     * {@code variant.<id>.<setting>}, optional {@code variant.<id>.description}).
     *
     * @param plan the plan's keys and values (other keys are ignored)
     * @param source where they come from, for messages
     * @return the registry with the plan's variants
     * @throws InvalidSettingException naming the first bad {@code variant.*} key
     */
    public StrategyRegistry withVariants(Map<String, String> plan, String source) {
        Map<String, Definition> all = new LinkedHashMap<>(variants);
        all.putAll(definitions(plan, source, variants.keySet()));
        return new StrategyRegistry(strategies, all);
    }

    /**
     * Parses {@code variant.<id>.<key>} entries into definitions.
     *
     * @param plan keys and values
     * @param source where they come from
     * @param taken variant ids already defined elsewhere (redefining one is an error)
     * @return id to definition
     */
    static Map<String, Definition> definitions(Map<String, String> plan, String source, Set<String> taken) {
        Map<String, Map<String, String>> byId = new TreeMap<>();
        plan.forEach((k, v) -> {
            if (!k.startsWith(StrategyVariant.PREFIX)) {
                return;
            }
            String rest = k.substring(StrategyVariant.PREFIX.length());
            int dot = rest.indexOf('.');
            if (dot <= 0 || dot == rest.length() - 1) {
                throw new InvalidSettingException(k, v, "expected variant.ID.base, variant.ID.description or "
                        + "variant.ID.SETTING (" + source + ")");
            }
            byId.computeIfAbsent(rest.substring(0, dot), x -> new LinkedHashMap<>()).put(rest.substring(dot + 1), v);
        });
        Map<String, Definition> out = new LinkedHashMap<>();
        byId.forEach((id, m) -> {
            if (taken.contains(id)) {
                throw new InvalidSettingException(StrategyVariant.PREFIX + id + ".base", m.get("base"), "variant '" + id
                        + "' is already defined by a plugin jar; give yours another id (" + source + ")");
            }
            Map<String, String> values = new LinkedHashMap<>(m);
            StrategyVariant.OWN_KEYS.forEach(values::remove);
            out.put(id, new Definition(m.get("base") == null ? null : m.get("base").trim(), values,
                    m.get("description"), source));
        });
        return out;
    }

    /** The variants the plugin jars on the classpath define. */
    private static Map<String, Definition> shipped() {
        Map<String, Definition> out = new LinkedHashMap<>();
        ClassLoader cl = Thread.currentThread().getContextClassLoader() != null
                ? Thread.currentThread().getContextClassLoader() : StrategyRegistry.class.getClassLoader();
        try {
            for (URL url : Collections.list(cl.getResources(StrategyVariant.RESOURCE))) {
                Properties p = new Properties();
                try (InputStream in = url.openStream()) {
                    p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
                }
                Map<String, String> m = new LinkedHashMap<>();
                p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
                out.putAll(definitions(m, url.toString(), out.keySet()));
            }
        } catch (IOException e) {
            throw new CompressionException("cannot read " + StrategyVariant.RESOURCE + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Builds an injector from the given modules plus every {@link CompressionPlugin} found by {@link
     * ServiceLoader}, and returns its registry.
     *
     * @param extra modules to install besides the discovered plugins (may be empty)
     * @return the registry
     * @throws CompressionException if two plugins claim the same id
     */
    public static StrategyRegistry discover(Module... extra) {
        return injector(extra).getInstance(StrategyRegistry.class);
    }

    /**
     * Builds the injector used by {@link #discover}.
     *
     * @param extra modules to install besides the discovered plugins
     * @return the injector
     */
    public static Injector injector(Module... extra) {
        List<Module> modules = new ArrayList<>(List.of(extra));
        modules.add(new AbstractModule() {
            @Override
            protected void configure() {
                // Declares the map even when no plugin is installed.
                StrategyBinder.strategies(binder());
            }
        });
        List<CompressionPlugin> plugins = new ArrayList<>();
        for (CompressionPlugin p : ServiceLoader.load(CompressionPlugin.class)) {
            modules.add(p);
            plugins.add(p);
        }
        // a jar may list its strategies directly, without a plugin module
        for (CompressionStrategy s : ServiceLoader.load(CompressionStrategy.class)) {
            CompressionPlugin listed = new ListedStrategy(s);
            modules.add(listed);
            plugins.add(listed);
        }
        try {
            return Guice.createInjector(modules);
        } catch (CreationException e) {
            String clash = clash(plugins);
            if (clash != null) {
                throw new PluginClashException(clash);
            }
            String msg = e.getErrorMessages().isEmpty() ? e.getMessage()
                    : e.getErrorMessages().iterator().next().getMessage();
            throw new CompressionException("cannot install the strategy plugins: "
                    + msg.lines().findFirst().orElse(msg).trim(), e);
        }
    }

    /** A strategy listed in {@code META-INF/services/org.waecompress.spi.CompressionStrategy}, as a plugin. */
    static final class ListedStrategy extends AbstractModule implements CompressionPlugin {
        private final CompressionStrategy strategy;

        ListedStrategy(CompressionStrategy strategy) {
            this.strategy = strategy;
        }

        @Override
        protected void configure() {
            StrategyBinder.install(binder(), strategy);
        }

        @Override
        public String toString() {
            return strategy.getClass().getName();
        }
    }

    /**
     * Finds two plugins that bind the same strategy id, by installing each alone.
     *
     * @param plugins the discovered plugins
     * @return a message naming the id and both plugins with their jars, or null when none clash
     */
    static String clash(List<CompressionPlugin> plugins) {
        Map<String, CompressionPlugin> owner = new HashMap<>();
        for (CompressionPlugin p : plugins) {
            Set<String> ids;
            try {
                // the ids the plugin binds (its registry would also hold every jar's variants)
                ids = Guice.createInjector(p).getInstance(com.google.inject.Key.get(
                        new com.google.inject.TypeLiteral<Map<String, Provider<CompressionStrategy>>>() {})).keySet();
            } catch (RuntimeException e) {
                continue;
            }
            for (String id : ids) {
                CompressionPlugin first = owner.putIfAbsent(id, p);
                if (first != null) {
                    return "two plugins install strategy '" + id + "': " + describe(first) + " and " + describe(p)
                            + "; remove one of the jars from plugins/ or the classpath";
                }
            }
        }
        return null;
    }

    private static String describe(CompressionPlugin p) {
        Class<?> c = p instanceof ListedStrategy l ? l.strategy.getClass() : p.getClass();
        String where;
        try {
            where = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException | RuntimeException e) {
            where = "unknown location";
        }
        return c.getName() + " (" + where + ")";
    }

    /**
     * Returns the strategy with an id: an installed strategy, a variant, or a stack of them ({@code
     * thinet-70+wae}, a {@link StackedStrategy}).
     *
     * @param id the id
     * @return a strategy instance
     * @throws UnknownStrategyException if no plugin provides it (or one of a stack's stages)
     * @throws InvalidSettingException for a stack with an empty stage, or with a {@link
     *     CompressionStrategy#lastInStack} stage before its end
     */
    public CompressionStrategy get(String id) {
        if (StackedStrategy.isStack(id)) {
            List<String> ids = StackedStrategy.stageIds(id);
            List<CompressionStrategy> stages = new ArrayList<>();
            for (String stage : ids) {
                if (stage.isEmpty()) {
                    throw new InvalidSettingException("strategies", id, "a stack joins strategy ids with '"
                            + StackedStrategy.SEPARATOR + "' (such as thinet-70+wae); this one has an empty stage");
                }
                stages.add(get(stage, new ArrayList<>()));
            }
            for (int i = 0; i < stages.size() - 1; i++) {
                if (stages.get(i).lastInStack()) {
                    List<String> order = new ArrayList<>(ids);
                    order.remove(i);
                    order.add(ids.get(i));
                    throw new InvalidSettingException("strategies", id, ids.get(i) + " changes the network's number "
                            + "format and must be the last stage of a stack (a later stage would discard its "
                            + "calibration); write " + String.join(StackedStrategy.SEPARATOR, order));
                }
            }
            return new StackedStrategy(stages);
        }
        return get(id, new ArrayList<>());
    }

    private CompressionStrategy get(String id, List<String> chain) {
        Definition d = variants.get(id);
        if (d != null) {
            if (chain.contains(id)) {
                chain.add(id);
                throw new InvalidSettingException(StrategyVariant.PREFIX + id + ".base", d.base(), "variants form a "
                        + "cycle: " + String.join(" -> ", chain) + " (" + d.source() + ")");
            }
            chain.add(id);
            if (!strategies.containsKey(d.base()) && !variants.containsKey(d.base())) {
                throw new InvalidSettingException(StrategyVariant.PREFIX + id + ".base", d.base(), "no installed "
                        + "strategy has this id (" + d.source() + "); installed: " + String.join(", ", ids()));
            }
            return new StrategyVariant(id, get(d.base(), chain), d.values(), d.description());
        }
        Provider<CompressionStrategy> p = strategies.get(id);
        if (p == null) {
            throw new UnknownStrategyException(id, ids());
        }
        CompressionStrategy s = p.get();
        if (!s.id().equals(id)) {
            throw new CompressionException("strategy bound as '" + id + "' reports id '" + s.id()
                    + "' (" + s.getClass().getName() + "); fix its plugin");
        }
        return s;
    }

    /**
     * Returns the installed ids, sorted.
     *
     * @return the ids
     */
    public SortedSet<String> ids() {
        TreeSet<String> ids = new TreeSet<>(strategies.keySet());
        ids.addAll(variants.keySet());
        return ids;
    }

    /**
     * Returns whether an id is a variant (defined as data) rather than bound by a plugin.
     *
     * @param id the id
     * @return true for a variant
     */
    public boolean isVariant(String id) {
        return variants.containsKey(id);
    }
}

package org.waecompress.spi.plugin;

import com.google.inject.AbstractModule;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Inject;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Provider;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.waecompress.spi.CompressionException;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.UnknownStrategyException;

/** The installed strategies by id; asking for an unknown id lists the known ones. */
public final class StrategyRegistry {

    private final Map<String, Provider<CompressionStrategy>> strategies;

    /**
     * Creates the registry from the map every plugin contributes to.
     *
     * @param strategies providers by id
     */
    @Inject
    public StrategyRegistry(Map<String, Provider<CompressionStrategy>> strategies) {
        this.strategies = Map.copyOf(strategies);
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
                ids = Guice.createInjector(p).getInstance(StrategyRegistry.class).ids();
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
        String where;
        try {
            where = Path.of(p.getClass().getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException | RuntimeException e) {
            where = "unknown location";
        }
        return p.getClass().getName() + " (" + where + ")";
    }

    /**
     * Returns the strategy with an id.
     *
     * @param id the id
     * @return a strategy instance
     * @throws UnknownStrategyException if no plugin provides it
     */
    public CompressionStrategy get(String id) {
        Provider<CompressionStrategy> p = strategies.get(id);
        if (p == null) {
            throw new UnknownStrategyException(id, strategies.keySet());
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
        return new TreeSet<>(strategies.keySet());
    }
}

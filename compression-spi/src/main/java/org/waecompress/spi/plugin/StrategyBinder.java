package org.waecompress.spi.plugin;

import com.google.inject.Binder;
import com.google.inject.multibindings.MapBinder;
import org.waecompress.spi.CompressionStrategy;

/** Owns the one map binding every plugin adds its strategies to. */
public final class StrategyBinder {

    private StrategyBinder() {}

    /**
     * Returns the strategy map binder; a duplicate id fails when the injector is created.
     *
     * @param binder the plugin's binder
     * @return the map binder keyed by strategy id
     */
    public static MapBinder<String, CompressionStrategy> strategies(Binder binder) {
        return MapBinder.newMapBinder(binder, String.class, CompressionStrategy.class);
    }

    /**
     * Installs strategies under their own ids: the one call a plugin module needs
     * ({@code StrategyBinder.install(binder(), new MyStrategy())}).
     *
     * @param binder the plugin's binder
     * @param strategies the strategies
     */
    public static void install(Binder binder, CompressionStrategy... strategies) {
        MapBinder<String, CompressionStrategy> b = strategies(binder);
        for (CompressionStrategy s : strategies) {
            b.addBinding(s.id()).toInstance(s);
        }
    }
}

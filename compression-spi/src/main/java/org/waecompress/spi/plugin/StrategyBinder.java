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
}

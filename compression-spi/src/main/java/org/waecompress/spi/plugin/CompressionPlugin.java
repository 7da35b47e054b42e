package org.waecompress.spi.plugin;

import com.google.inject.Module;

/**
 * A Guice module that installs one or more strategies; the harness discovers plugins with {@link
 * java.util.ServiceLoader}.
 *
 * <p>A plugin's {@code configure()} only binds: {@code StrategyBinder.strategies(binder())
 * .addBinding("foo").to(FooStrategy.class)}. No I/O, no conditions. List the plugin class in {@code
 * META-INF/services/org.waecompress.spi.plugin.CompressionPlugin}.
 */
public interface CompressionPlugin extends Module {}

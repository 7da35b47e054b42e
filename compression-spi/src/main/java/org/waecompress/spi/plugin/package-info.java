/**
 * Plugin glue: {@link org.waecompress.spi.plugin.CompressionPlugin} modules found by {@code
 * ServiceLoader} add strategies to one Guice map binding; {@link
 * org.waecompress.spi.plugin.StrategyRegistry} looks them up by id.
 */
package org.waecompress.spi.plugin;

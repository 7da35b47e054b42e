package org.waecompress.spi.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionException;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.UnknownStrategyException;
import org.waecompress.spi.network.Network;

class StrategyRegistryTest {

    /** A strategy that returns its input's spec and weights unchanged. */
    public static final class IdentityStrategy implements CompressionStrategy {
        @Override
        public String id() {
            return "identity";
        }

        @Override
        public String description() {
            return "returns the network unchanged (test only)";
        }

        @Override
        public Map<String, String> defaultSettings() {
            return Map.of();
        }

        @Override
        public Network compress(Network trained, CompressionContext ctx) {
            return Network.of(trained.spec(), trained.classes(), trained.weights(), "identity");
        }
    }

    /** Installs {@link IdentityStrategy}; listed in the test service file. */
    public static final class IdentityPlugin extends AbstractModule implements CompressionPlugin {
        @Override
        protected void configure() {
            StrategyBinder.strategies(binder()).addBinding("identity").to(IdentityStrategy.class);
        }
    }

    @Test
    void discoversPluginsThroughServiceLoader() {
        StrategyRegistry r = StrategyRegistry.discover();
        assertTrue(r.ids().contains("identity"));
        assertEquals("identity", r.get("identity").id());
    }

    @Test
    void unknownIdListsKnownIds() {
        UnknownStrategyException e = assertThrows(UnknownStrategyException.class,
                () -> StrategyRegistry.discover().get("thinett"));
        assertTrue(e.getMessage().startsWith("unknown strategy 'thinett'; known strategies: "), e.getMessage());
        assertTrue(e.getMessage().contains("identity"), e.getMessage());
    }

    @Test
    void duplicateIdFailsAtStart() {
        CompressionException e = assertThrows(CompressionException.class,
                () -> StrategyRegistry.discover(new AbstractModule() {
                    @Override
                    protected void configure() {
                        StrategyBinder.strategies(binder()).addBinding("identity").toInstance(new IdentityStrategy());
                    }
                }));
        assertTrue(e.getMessage().contains("identity"), e.getMessage());
    }

    /** A second plugin that claims the id {@link IdentityPlugin} binds. */
    public static final class SameIdPlugin extends AbstractModule implements CompressionPlugin {
        @Override
        protected void configure() {
            StrategyBinder.strategies(binder()).addBinding("identity").toInstance(new IdentityStrategy());
        }
    }

    @Test
    void twoPluginsWithOneIdAreNamedWithTheirJars() {
        String m = StrategyRegistry.clash(java.util.List.of(new IdentityPlugin(), new SameIdPlugin()));
        assertTrue(m != null && m.startsWith("two plugins install strategy 'identity': " + IdentityPlugin.class.getName()
                + " ("), m);
        assertTrue(m.contains(" and " + SameIdPlugin.class.getName() + " ("), m);
        assertTrue(m.contains("target") && m.endsWith("remove one of the jars from plugins/ or the classpath"), m);
        assertEquals(null, StrategyRegistry.clash(java.util.List.of(new IdentityPlugin())));
    }
}

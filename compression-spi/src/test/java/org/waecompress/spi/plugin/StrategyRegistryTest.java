package org.waecompress.spi.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.error.UnknownStrategyException;
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
        assertTrue(m != null && m.startsWith("two plugins install strategy 'identity': "
                + IdentityPlugin.class.getName()
                + " ("), m);
        assertTrue(m.contains(" and " + SameIdPlugin.class.getName() + " ("), m);
        assertTrue(m.contains("target") && m.endsWith("remove one of the jars from plugins/ or the classpath"), m);
        assertEquals(null, StrategyRegistry.clash(java.util.List.of(new IdentityPlugin())));
    }

    /** A strategy with two settings that records what its compress saw. */
    static final class Tunable implements CompressionStrategy {
        static final org.waecompress.spi.setting.Setting<Double> RATIO =
                org.waecompress.spi.setting.Setting.real("ratio", 0.5, "kept fraction").above(0).below(1);
        static final org.waecompress.spi.setting.Setting<String> HEAD =
                org.waecompress.spi.setting.Setting.choice("head", "keep", "the head", "keep", "gap");
        final java.util.List<String> seen = new java.util.ArrayList<>();

        @Override
        public String id() {
            return "tunable";
        }

        @Override
        public String description() {
            return "test";
        }

        @Override
        public java.util.List<org.waecompress.spi.setting.Setting<?>> settings() {
            return java.util.List.of(RATIO, HEAD);
        }

        @Override
        public Network compress(Network trained, CompressionContext ctx) {
            seen.add(ctx.strategyId() + " " + ctx.get(RATIO) + " " + ctx.get(HEAD));
            return null;
        }
    }

    @Test
    void aVariantIsItsBaseWithOtherDefaultsUnderItsOwnId() {
        Tunable t = new Tunable();
        StrategyRegistry r = StrategyRegistry.of(t).withVariants(Map.of("variant.my-t.base", "tunable",
                "variant.my-t.ratio", "0.3", "variant.deep.base", "my-t", "variant.deep.head", "gap",
                "other.key", "ignored"), "test plan");
        assertEquals(java.util.List.of("deep", "my-t", "tunable"), java.util.List.copyOf(r.ids()));
        assertTrue(r.isVariant("my-t") && !r.isVariant("tunable"));
        CompressionStrategy v = r.get("my-t");
        assertEquals("my-t", v.id());
        assertEquals("0.3", v.settings().get(0).defaultText());
        assertEquals(0.5, t.settings().get(0).defaultValue(), "the base's declaration is unchanged");
        assertTrue(v.description().startsWith("test (ratio=0.3"), v.description());
        v.compress(null, new CompressionContext("my-t", new org.apache.commons.configuration2.MapConfiguration(
                Map.of()), 1, null, new org.waecompress.spi.train.NetworkTrainer(null), null, null, null));
        // the user's value wins over the variant's; a variant of a variant keeps both layers
        v.compress(null, new CompressionContext("my-t", new org.apache.commons.configuration2.MapConfiguration(
                Map.of("ratio", "0.9")), 1, null, new org.waecompress.spi.train.NetworkTrainer(null), null, null,
                        null));
        r.get("deep").compress(null, new CompressionContext("deep",
                new org.apache.commons.configuration2.MapConfiguration(
                Map.of()), 1, null, new org.waecompress.spi.train.NetworkTrainer(null), null, null, null));
        assertEquals(java.util.List.of("my-t 0.3 keep", "my-t 0.9 keep", "deep 0.3 gap"), t.seen);
    }

    @Test
    void badVariantsAreOneLineErrorsNamingTheKey() {
        StrategyRegistry r = StrategyRegistry.of(new Tunable());
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> r.withVariants(Map.of("variant.x.base", "tunable", "variant.x.ratoi", "0.3"), "plan.yaml"));
        assertEquals("variant.x.ratoi = 0.3: 'ratoi' is not a setting of the base strategy; its settings: ratio, head",
                e.getMessage());
        e = assertThrows(InvalidSettingException.class,
                () -> r.withVariants(Map.of("variant.x.base", "tunable", "variant.x.ratio", "1.5"), "plan.yaml"));
        assertEquals("variant.x.ratio = 1.5: must be a number in (0, 1)", e.getMessage());
        e = assertThrows(InvalidSettingException.class,
                () -> r.withVariants(Map.of("variant.x.base", "thinet"), "plan.yaml"));
        assertTrue(e.getMessage().startsWith("variant.x.base = thinet: no installed strategy has this id (plan.yaml)"),
                e.getMessage());
        e = assertThrows(InvalidSettingException.class,
                () -> r.withVariants(Map.of("variant.x.ratio", "0.2"), "plan.yaml"));
        assertEquals("variant.x.base = (missing): variant 'x' (plan.yaml) must name its base strategy", e.getMessage());
        e = assertThrows(InvalidSettingException.class,
                () -> r.withVariants(Map.of("variant.tunable.base", "tunable"), "plan.yaml"));
        assertTrue(e.getMessage().contains("is already an installed strategy"), e.getMessage());
        e = assertThrows(InvalidSettingException.class,
                () -> r.withVariants(Map.of("variant.a.base", "b", "variant.b.base", "a"), "plan.yaml"));
        assertTrue(e.getMessage().contains("cycle: a -> b -> a"), e.getMessage());
        e = assertThrows(InvalidSettingException.class,
                () -> r.withVariants(Map.of("variant.My_T.base", "tunable"), "plan.yaml"));
        assertTrue(e.getMessage().contains("must be lower case letters"), e.getMessage());
    }
}

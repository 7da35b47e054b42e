package org.waecompress.experiments.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.setting.Setting;
import org.waecompress.spi.spec.NetworkSpec;

/** The kit fails a strategy that breaks each rule, and passes one that keeps them. */
class StrategyContractSelfTest {

    /** Keeps the backbone: a strategy that breaks the rules its flags name. */
    private static final class Sloppy implements CompressionStrategy {
        static final Setting<Double> SCALE = Setting.real("scale", 1, "weight scale").above(0);
        private final boolean readsUndeclared;
        private final boolean editsInput;
        private final boolean wrongArchitecture;

        Sloppy(boolean readsUndeclared, boolean editsInput, boolean wrongArchitecture) {
            this.readsUndeclared = readsUndeclared;
            this.editsInput = editsInput;
            this.wrongArchitecture = wrongArchitecture;
        }

        @Override
        public String id() {
            return "sloppy";
        }

        @Override
        public String description() {
            return "test";
        }

        @Override
        public List<Setting<?>> settings() {
            return List.of(SCALE);
        }

        @Override
        public NetworkSpec architecture(NetworkSpec backbone, CompressionContext ctx) {
            return wrongArchitecture ? org.waecompress.spi.spec.WidthScaling.scale(backbone, 0.5) : backbone;
        }

        @Override
        public Network compress(Network trained, CompressionContext ctx) {
            ctx.get(SCALE);
            if (readsUndeclared) {
                ctx.settings().getString("secret", "x");
            }
            if (editsInput) {
                trained.weights().values().iterator().next().muli(2);
            }
            return Network.of(trained.spec(), trained.classes(), trained.weights(), "sloppy");
        }
    }

    private static Map<String, Boolean> outcomes(CompressionStrategy s) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        StrategyContract.checks(s, Map.of(), true).forEach((DynamicTest t) -> {
            boolean passed;
            try {
                t.getExecutable().execute();
                passed = true;
            } catch (AssertionFailedError e) {
                passed = false;
            } catch (Throwable e) {
                throw new IllegalStateException(t.getDisplayName(), e);
            }
            out.put(t.getDisplayName().substring("sloppy: ".length()), passed);
        });
        return out;
    }

    @Test
    void eachBrokenRuleFailsItsCheckAndOnlyThat() {
        Map<String, Boolean> good = outcomes(new Sloppy(false, false, false));
        good.forEach((check, passed) -> assertEquals(true, passed, check));
        Map<String, Boolean> reads = outcomes(new Sloppy(true, false, false));
        assertEquals(false, reads.get("every key it reads is declared"));
        assertEquals(true, reads.get("the input network is left unchanged"));
        Map<String, Boolean> edits = outcomes(new Sloppy(false, true, false));
        assertEquals(false, edits.get("the input network is left unchanged"));
        assertEquals(true, edits.get("every key it reads is declared"));
        Map<String, Boolean> arch = outcomes(new Sloppy(false, false, true));
        assertEquals(false, arch.get("architecture() is the spec of compress()'s result"));
        assertThrows(IllegalArgumentException.class, () -> Setting.real("bad", -1, "doc").above(0),
                "a declaration whose default it refuses does not even build");
    }
}

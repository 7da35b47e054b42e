package org.waecompress.experiments.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.waecompress.experiments.config.ExperimentConfig;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.plugin.StrategyRegistry;

/**
 * Which started rows fix a strategy's keys on a resume: a variant inherits its base's keys, so a started
 * thinet-70 (or a stack with a thinet-70 stage) fixes strategy.thinet.* as a started thinet would.
 */
class ResumeCheckTest {

    @Test
    void aStartedVariantOrStackStageFixesItsBasesKeys() {
        ExperimentConfig c = ExperimentConfig.load(Map.of("variant.my-70.base", "thinet-70"), null, null,
                new Properties(), StrategyRegistry.discover());
        assertTrue(ResumeCheck.reaches(c, "thinet", "thinet"));
        assertTrue(ResumeCheck.reaches(c, "thinet-70", "thinet"), "a shipped variant");
        assertTrue(ResumeCheck.reaches(c, "my-70", "thinet"), "a variant of a variant");
        assertTrue(ResumeCheck.reaches(c, "thinet-30+wae", "thinet"), "a stack's stage");
        assertTrue(ResumeCheck.reaches(c, "taylor-2", "taylor-1"));
        assertFalse(ResumeCheck.reaches(c, "wae", "thinet"));
        assertFalse(ResumeCheck.reaches(c, "thinet", "thinet-70"), "a base does not read its variant's keys");
    }

    @Test
    void aBaseKeyChangedOnResumeIsRefusedOnceAVariantReadingItStarted() {
        ExperimentConfig before = ExperimentConfig.load(Map.of("strategy.thinet.channelMultiple", "8"), null, null,
                new Properties(), StrategyRegistry.discover());
        JsonObject stored = new JsonObject();
        JsonObject cfg = new JsonObject();
        before.values().forEach((k, v) -> {
            JsonObject o = new JsonObject();
            o.addProperty("value", v);
            cfg.add(k, o);
        });
        stored.add("config", cfg);
        ExperimentConfig now = ExperimentConfig.load(Map.of("strategy.thinet.channelMultiple", "16"), null, null,
                new Properties(), StrategyRegistry.discover());
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> ResumeCheck.compare(Path.of("run"), stored, now, Set.of("backbone", "thinet-70")));
        assertTrue(e.getMessage().startsWith("strategy.thinet.channelMultiple = 16: differs"), e.getMessage());
        assertEquals("16", ResumeCheck.compare(Path.of("run"), stored, now, Set.of("backbone", "wae"))
                .get("strategy.thinet.channelMultiple")[1], "free while no row reading it has started");
    }
}

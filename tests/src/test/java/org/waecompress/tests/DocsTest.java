package org.waecompress.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.waecompress.experiments.config.Keys;

/** The documentation keeps up with the code it describes. */
class DocsTest {

    @Test
    void everyHarnessKeyIsDocumented() throws Exception {
        String doc = Files.readString(ArchitectureTest.root().resolve("docs/configuration.md"));
        List<String> missing = Keys.all().keySet().stream().filter(k -> !doc.contains("| `" + k + "` |"))
                .collect(Collectors.toList());
        assertTrue(missing.isEmpty(), "docs/configuration.md lacks rows for " + missing);
    }
}

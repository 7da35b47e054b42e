package org.waecompress.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Module boundaries of docs/architecture.md, checked on the sources. */
class ArchitectureTest {

    static Path root() {
        Path p = Path.of("").toAbsolutePath();
        return Files.exists(p.resolve("compression-spi")) ? p : p.getParent();
    }

    static List<String> violations(String module, String... forbidden) throws IOException {
        try (Stream<Path> files = Files.walk(root().resolve(module).resolve("src/main/java"))) {
            return files.filter(f -> f.toString().endsWith(".java")).flatMap(f -> {
                try {
                    String text = Files.readString(f);
                    return Stream.of(forbidden).filter(text::contains).map(x -> f.getFileName() + " uses " + x);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
    }

    @Test
    void harnessNeverImportsStrategies() throws IOException {
        List<String> v = violations("experiments", "org.waecompress.wae", "org.waecompress.baselines");
        assertTrue(v.isEmpty(), v.toString());
    }

    @Test
    void strategiesImportNeitherEachOtherNorTheHarness() throws IOException {
        List<String> v = violations("wae-core", "org.waecompress.baselines", "org.waecompress.experiments",
                "org.waecompress.backbones");
        assertTrue(v.isEmpty(), v.toString());
        v = violations("compression-spi", "org.waecompress.wae", "org.waecompress.experiments",
                "org.waecompress.backbones", "ai.djl.pytorch");
        assertTrue(v.isEmpty(), v.toString());
    }
}

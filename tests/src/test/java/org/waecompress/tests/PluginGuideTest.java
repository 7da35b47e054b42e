package org.waecompress.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.example.halfwidth.HalfWidthStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.experiments.cli.Main;
import org.waecompress.experiments.harness.ResultStore;
import org.waecompress.experiments.result.ResultRow;
import org.waecompress.experiments.testkit.TinyPlan;

/**
 * docs/adding-a-strategy.md followed to its end: the guide's plugin (examples/halfwidth-plugin, which the
 * build compiles from its own POM and whose contract tests it runs) is dropped into a {@code plugins/} folder
 * and put on the class path the way {@code ./waec} does ({@code plugins/*}), in a JVM that has no other copy of
 * it. {@code waec strategies} then lists it with its settings, and a run gives it a row, with its node type.
 */
class PluginGuideTest {

    @TempDir
    Path dir;

    @Test
    void theGuidesJarDroppedIntoPluginsIsListedAndRuns() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Path built = Path.of(HalfWidthStrategy.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path jar = plugins.resolve("halfwidth-1.0.jar");
        if (Files.isDirectory(built)) {
            jarOf(built, jar); // a reactor build that stopped before packaging hands over the classes folder
        } else {
            Files.copy(built, jar);
        }
        List<String> without = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !Path.of(e).toAbsolutePath().equals(built.toAbsolutePath())).toList();
        String bare = String.join(File.pathSeparator, without);
        String withPlugins = bare + File.pathSeparator + plugins + File.separator + "*";

        String listed = waec(bare, "strategies");
        assertFalse(listed.contains("halfwidth"), "the class path without plugins/ must not hold the plugin: "
                + listed);
        listed = waec(withPlugins, "strategies");
        assertTrue(listed.contains("halfwidth  The backbone at half width"), listed);
        assertTrue(listed.contains("strategy.halfwidth.factor = 0.5"), listed);
        assertTrue(listed.contains("strategy.halfwidth.scale = false"), listed);

        Path out = dir.resolve("run");
        List<String> run = TinyPlan.args(out, "--set", "strategies=halfwidth", "--set", "strategy.halfwidth.scale=true",
                "--set", "output.keepNetworks=true");
        waec(withPlugins, run.toArray(String[]::new));
        List<ResultRow> rows = new ResultStore(out).read();
        assertEquals(List.of("backbone", "halfwidth"), rows.stream().map(ResultRow::id).toList());
        assertFalse(rows.get(1).failed(), rows.get(1).toString());
        String spec = Files.readString(out.resolve("networks/halfwidth.spec.json"));
        assertTrue(spec.contains("\"channelScale\""), "the plugin's node type is in the row's network: " + spec);
    }

    /** Runs the command line in a JVM of its own with the given class path; returns its output (exit 0). */
    private String waec(String classPath, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true", "-cp", classPath, Main.class.getName()));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile(dir, "waec", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                .directory(dir.toFile());
        pb.environment().put("OPT_OUT_TRACKING", "true");
        Process p = pb.start();
        int code = p.waitFor();
        String out = Files.readString(log);
        assertEquals(0, code, String.join(" ", args) + ":\n" + out);
        return out;
    }

    /** Packs a classes folder into a jar. */
    private static void jarOf(Path classes, Path jar) throws IOException {
        try (OutputStream o = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(o);
                Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
                j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, j);
                j.closeEntry();
            }
        }
    }
}

package org.waecompress.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.waecompress.experiments.cli.Main;
import org.waecompress.experiments.config.HarnessSettings;
import org.waecompress.experiments.config.Presets;
import org.waecompress.spi.plugin.StrategyRegistry;
import picocli.CommandLine;

/**
 * Every command the README and docs/ show is parsed by the real command line, so the documentation
 * cannot drift from it: each {@code ./waec ...} line of a code block and each {@code `waec ...`} or
 * {@code `--option ...`} span in the text; every {@code --set} key must be a known key, every preset a
 * shipped one.
 */
class DocumentedCommandsTest {

    private static final Pattern SPAN = Pattern.compile("`((?:\\./)?waec(?: [^`]*)?|--[a-z][^`]*)`");

    /** A documented command: where it is and its words after {@code waec}. */
    record Documented(String where, List<String> words) {}

    static List<Documented> documented() throws IOException {
        Path root = ArchitectureTest.root();
        List<Path> files = new ArrayList<>(List.of(root.resolve("README.md")));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        List<Documented> out = new ArrayList<>();
        for (Path f : files) {
            List<String> lines = Files.readAllLines(f);
            boolean code = false;
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i);
                String where = root.relativize(f) + ":" + (i + 1);
                if (l.startsWith("```")) {
                    code = !code;
                    continue;
                }
                if (code) {
                    String c = l.replaceFirst("\\s+#.*$", "").trim().replaceFirst("^\\$ ", "")
                            .replaceFirst("^[A-Z_]+=\\S+ ", "");
                    if (c.startsWith("./waec")) {
                        out.add(new Documented(where, words(c.substring("./waec".length()))));
                    }
                    continue;
                }
                Matcher m = SPAN.matcher(l);
                while (m.find()) {
                    String s = m.group(1);
                    if (s.startsWith("--")) {
                        out.add(new Documented(where, words(s)));
                    } else {
                        out.add(new Documented(where, words(s.replaceFirst("^(\\./)?waec", ""))));
                    }
                }
            }
        }
        return out;
    }

    private static List<String> words(String s) {
        return new ArrayList<>(Arrays.stream(s.trim().split("\\s+")).filter(w -> !w.isEmpty() && !w.equals("..."))
                .toList());
    }

    @Test
    void theDocumentationShowsCommands() throws IOException {
        List<Documented> d = documented();
        assertTrue(d.size() > 50, "found only " + d.size() + " documented commands; is the extraction broken?");
        assertTrue(d.stream().anyMatch(x -> x.words().equals(List.of())), "the main job './waec' is not found");
    }

    @TestFactory
    Stream<DynamicTest> everyDocumentedCommandParses() throws IOException {
        Set<String> known = new TreeSet<>(HarnessSettings.all().keySet());
        StrategyRegistry registry = StrategyRegistry.discover();
        registry.ids().forEach(id -> registry.get(id).settings().forEach(st -> known.add("strategy." + id + "."
                + st.name())));
        CommandLine root = new CommandLine(new Main());
        Set<String> options = new TreeSet<>();
        collectOptions(root, options);
        return documented().stream().map(d -> DynamicTest.dynamicTest(d.where() + ": " + String.join(" ", d.words()),
                () -> check(d, root, options, known)));
    }

    private static void collectOptions(CommandLine c, Set<String> options) {
        c.getCommandSpec().options().forEach(o -> options.addAll(Arrays.asList(o.names())));
        c.getSubcommands().values().forEach(s -> collectOptions(s, options));
    }

    private static void check(Documented d, CommandLine root, Set<String> options, Set<String> known) {
        List<String> w = d.words();
        if (!w.isEmpty() && w.get(0).startsWith("--")) {
            // an option named in the text: it must exist, and its --set keys be known
            assertTrue(options.contains(w.get(0)), d.where() + ": no command has the option " + w.get(0));
            checkSets(d, w, known);
            return;
        }
        if (w.size() == 1 && root.getSubcommands().containsKey(w.get(0))) {
            return; // the name of a command, in prose
        }
        CommandLine fresh = new CommandLine(new Main());
        try {
            fresh.parseArgs(w.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new AssertionError(d.where() + ": 'waec " + String.join(" ", w) + "' does not parse: "
                    + e.getMessage());
        }
        checkSets(d, w, known);
        for (int i = 0; i + 1 < w.size(); i++) {
            if (w.get(i).equals("--preset")) {
                for (String p : w.get(i + 1).split("\\|")) {
                    assertTrue(Presets.exists(p), d.where() + ": no preset " + p);
                }
            }
        }
    }

    private static void checkSets(Documented d, List<String> w, Set<String> known) {
        // inspect and export take a strategy's own setting (ratio=0.5) for STRATEGY-on-BACKBONE
        String strategy = w.stream().filter(a -> a.contains("-on-")).findFirst().map(a -> a.split("-on-")[0])
                .orElse(null);
        for (int i = 0; i + 1 < w.size(); i++) {
            if (w.get(i).equals("--set")) {
                String given = w.get(i + 1).split("=", 2)[0];
                String key = strategy != null && !given.contains(".") ? "strategy." + strategy + "." + given : given;
                assertTrue(key.equals("key") || given.equals("KEY") || known.contains(key), d.where() + ": --set "
                        + key + " is not a known key");
            }
        }
    }
}

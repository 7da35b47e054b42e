package org.waecompress.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.experiments.cli.CliRun;

/**
 * The project's corpus of malformed inputs ({@code src/test/resources/malformed/}): IDX files,
 * safetensors files, plans, specs and command lines. Each must give one line on standard error that
 * names the culprit (the file, key or option, and what is wrong), exit code 2, no stack trace, and
 * leave nothing behind.
 */
class MalformedInputTest {

    /** Each corpus file and what its one line must say besides the file's name. */
    private static final Map<String, String> FILES = new TreeMap<>(Map.ofEntries(
            Map.entry("unknown-key.properties", "backbone.nmae"),
            Map.entry("bad-rate.yaml", "train.learningRate = 0: must be in (0, 10]"),
            Map.entry("broken.yaml", "cannot parse"),
            Map.entry("ratio.properties", "strategy.thinet.ratio = 1.5"),
            Map.entry("twice.properties", "names resize twice"),
            Map.entry("all-and-ids.yaml", "'all' can be combined with stacks (A+B) only"),
            Map.entry("text-field.spec.json", "field 'out' must be a whole number, not \"eight\""),
            Map.entry("negative-kernel.spec.json", "kernel -3 must be at least 1"),
            Map.entry("unknown-type.spec.json", "unknown node type 'frobnicate'"),
            Map.entry("truncated.spec.json", "invalid spec JSON"),
            Map.entry("empty.idx", "is empty (0 bytes)"),
            Map.entry("bad-magic.idx", "magic"),
            Map.entry("truncated.idx", "truncated"),
            Map.entry("half-header.idx", "ends before its header is complete"),
            Map.entry("metadata-number.safetensors", "__metadata__ value of 'format' is 5, not a string"),
            Map.entry("overlap.safetensors", "tensor b (bytes [4, 12)) overlaps tensor a"),
            Map.entry("overflow.safetensors", "tensor a has shape"),
            Map.entry("header-length.safetensors", "header length"),
            Map.entry("foreign-tensor.safetensors", "unexpected tensor frobnicate.weight")));

    /** The key a plan's line must name. */
    private static final Map<String, String> KEYS = Map.of("unknown-key.properties", "backbone.nmae",
            "bad-rate.yaml", "train.learningRate", "ratio.properties", "strategy.thinet.ratio",
            "twice.properties", "strategies", "all-and-ids.yaml", "strategies");

    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> everyMalformedFileGetsOneLineNamingIt() {
        return FILES.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            Path dir = Files.createDirectories(tmp.resolve(e.getKey() + ".d"));
            Path file = dir.resolve(e.getKey());
            Path culprit = file;
            Files.write(file, corpus(e.getKey()));
            String[] args;
            String name = e.getKey();
            if (name.endsWith(".properties") || name.endsWith(".yaml")) {
                args = new String[] {"run", "--config", file.toString(), "--out", dir.resolve("out").toString(),
                    "--set", "data.kind=synthetic", "--set", "experiment.then="};
                culprit = name.startsWith("broken") ? file : Path.of(KEYS.get(name));
            } else if (name.endsWith(".spec.json")) {
                args = new String[] {"inspect", file.toString()};
            } else if (name.endsWith(".idx")) {
                Path data = Files.createDirectories(dir.resolve("data"));
                for (String f : List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                        "t10k-labels-idx1-ubyte")) {
                    Files.copy(file, data.resolve(f));
                }
                Files.delete(file);
                culprit = data;
                args = new String[] {"run", "--set", "data.dir=" + data, "--set", "strategies=resize", "--set",
                    "experiment.then=", "--out", dir.resolve("out").toString()};
            } else {
                args = new String[] {"export", "resnet20", "--width", "0.25", "--weights", file.toString(), "--out",
                    dir.resolve("x.onnx").toString()};
            }
            List<Path> before = listing(dir);
            CliRun.Result r = CliRun.run(args);
            String line = oneLine(r, String.join(" ", args));
            assertTrue(line.contains(culprit.toString()), "does not name " + culprit + ": " + line);
            assertTrue(line.contains(e.getValue()), "does not say '" + e.getValue() + "': " + line);
            if (name.endsWith(".idx")) {
                assertTrue(line.matches(".*" + Pattern.quote(culprit + "/")
                        + "t[a-z0-9]+-(images|labels)-idx[13]-ubyte: .*"),
                        "does not name the file: " + line);
            }
            assertEquals(before, listing(dir), "left something behind");
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyMalformedCommandLineGetsOneLineNamingIt() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String l : new String(corpus("cli-args.txt"), StandardCharsets.UTF_8).split("\n")) {
            if (l.isBlank() || l.startsWith("#")) {
                continue;
            }
            String[] parts = l.split("\\|");
            tests.add(DynamicTest.dynamicTest(parts[0].trim(), () -> {
                Path dir = Files.createDirectories(tmp.resolve("cli-" + tests.size() + "-" + Math.abs(l.hashCode())));
                String[] args = parts[0].trim().replace("TMP", dir.toString()).split("\\s+");
                String culprit = parts[1].trim().replace("TMP", dir.toString());
                List<Path> before = listing(dir);
                String line = oneLine(CliRun.run(args), parts[0]);
                assertTrue(line.contains(culprit), "does not name " + culprit + ": " + line);
                assertEquals(before, listing(dir), "left something behind");
            }));
        }
        return tests.stream();
    }

    /** Checks exit code 2, one line, no stack trace; returns the line. */
    static String oneLine(CliRun.Result r, String command) {
        assertEquals(2, r.code(), command + ": " + r.out() + r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), command + ": more than one line: " + err);
        assertFalse(err.contains("\tat ") || err.contains("Exception:"), command + ": " + err);
        assertTrue(err.startsWith("waec: "), command + ": " + err);
        return err;
    }

    private static byte[] corpus(String name) throws IOException {
        try (InputStream in = MalformedInputTest.class.getResourceAsStream("/malformed/" + name)) {
            if (in == null) {
                throw new IOException("corpus file " + name + " is missing");
            }
            return in.readAllBytes();
        }
    }

    private static List<Path> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.sorted().toList();
        }
    }
}

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
            Map.entry("bad-rate.yaml", "train.learningRate = 0: must be a number in (0, 10]"),
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
            Map.entry("foreign-tensor.safetensors", "unexpected tensor frobnicate.weight"),
            Map.entry("empty-value.yaml", "has no value (from --config"),
            Map.entry("duplicate.yaml", "cannot parse: found duplicate key epochs (line 3, column 3)"),
            Map.entry("bom.properties", "train.nosuch = 2: unknown key"),
            Map.entry("huge-input.spec.json", "has a dimension of 2147483647; each must be in [1, 65536]")));

    /** The key a plan's line must name. */
    private static final Map<String, String> KEYS = Map.of("unknown-key.properties", "backbone.nmae",
            "bad-rate.yaml", "train.learningRate", "ratio.properties", "strategy.thinet.ratio",
            "twice.properties", "strategies", "all-and-ids.yaml", "strategies", "empty-value.yaml", "train.epochs",
            "bom.properties", "train.nosuch");

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
                culprit = name.startsWith("broken") || name.startsWith("duplicate") ? file : Path.of(KEYS.get(name));
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

    /**
     * Inputs that need files the command-line corpus cannot make (issue 29, items 13-15): a saved spec without
     * its .params given as backbone weights, results.jsonl binary or empty, --resume into a folder of other
     * files, a MAC target beyond the backbone's MACs.
     */
    @TestFactory
    Stream<DynamicTest> filesMadeHereGetOneLineNamingThem() {
        return Stream.of(
                DynamicTest.dynamicTest("backbone.weights without its .params", () -> {
                    Path dir = Files.createDirectories(tmp.resolve("noparams"));
                    Path spec = savedBackbone(dir);
                    Files.delete(dir.resolve("backbone.params"));
                    List<Path> before = listing(dir);
                    String line = oneLine(CliRun.run("run", "--set", "backbone.weights=" + spec, "--set",
                            "backbone.name=resnet20", "--set", "backbone.width=0.25", "--set", "data.kind=synthetic",
                            "--set", "experiment.then=", "--out", dir.resolve("out").toString()),
                            "run backbone.weights");
                    assertTrue(line.contains(dir.resolve("backbone.params") + ": file not found"), line);
                    assertEquals(before, listing(dir), "left something behind");
                }),
                DynamicTest.dynamicTest("table of a binary results.jsonl", () -> {
                    Path dir = Files.createDirectories(tmp.resolve("binary"));
                    Files.write(dir.resolve("results.jsonl"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2, 10});
                    String line = oneLine(CliRun.run("table", dir.toString()), "table binary");
                    assertTrue(line.contains(dir.resolve("results.jsonl") + ": is not UTF-8 text"), line);
                }),
                DynamicTest.dynamicTest("table of an empty results.jsonl", () -> {
                    Path dir = Files.createDirectories(tmp.resolve("empty"));
                    Files.writeString(dir.resolve("results.jsonl"), "");
                    String line = oneLine(CliRun.run("table", dir.toString()), "table empty");
                    assertTrue(line.contains(dir.resolve("results.jsonl") + ": holds no row"), line);
                }),
                DynamicTest.dynamicTest("--resume into a folder that is not a run", () -> {
                    Path dir = Files.createDirectories(tmp.resolve("notarun"));
                    Files.writeString(dir.resolve("thesis.tex"), "mine");
                    List<Path> before = listing(dir);
                    String line = oneLine(CliRun.run("run", "--resume", "--out", dir.toString(), "--set",
                            "data.kind=synthetic", "--set", "experiment.then="), "resume not a run");
                    assertTrue(line.contains(dir + " is not a run folder"), line);
                    assertEquals(before, listing(dir), "left something behind");
                }),
                DynamicTest.dynamicTest("--target-speedup --by macs beyond the backbone's MACs", () -> {
                    Path run = Files.createDirectories(tmp.resolve("run"));
                    savedBackbone(Files.createDirectories(run.resolve("networks")));
                    Files.writeString(run.resolve("provenance.json"), "{}");
                    List<Path> before = listing(run);
                    String line = oneLine(CliRun.run("sensitivity", run.toString(), "--strategy", "thinet",
                            "--target-speedup", "1e9", "--by", "macs"), "sensitivity 1e9");
                    assertTrue(line.contains("--target-speedup 1.0E9: the backbone has"), line);
                    assertEquals(before, listing(run), "left something behind");
                }));
    }

    /** Saves a small ResNet-20 as backbone.spec.json and backbone.params in a folder. */
    private static Path savedBackbone(Path dir) {
        org.waecompress.spi.spec.NetworkSpec spec = org.waecompress.backbones.Backbones.create("resnet20",
                new ai.djl.ndarray.types.Shape(1, 28, 28), 10, 0.25);
        try (org.waecompress.spi.network.Network n = org.waecompress.spi.network.Network.random(spec, 10, 1)) {
            n.save(dir, "backbone");
        }
        return dir.resolve("backbone.spec.json");
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

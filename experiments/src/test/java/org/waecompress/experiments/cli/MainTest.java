package org.waecompress.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.backbones.Backbones;
import org.waecompress.spi.spec.SpecJson;

class MainTest {

    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.execute(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void inspectPrintsPerLayerTableAndTotals() {
        Result r = run("inspect", "vgg16");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("features.0"), r.out());
        assertTrue(r.out().contains("total params: 138,357,544"), r.out());
        assertTrue(r.out().contains("15.47 G"), r.out());
    }

    @Test
    void inspectReadsSpecFilesAndJsonFormat() throws Exception {
        Path f = dir.resolve("r20.spec.json");
        Files.writeString(f, SpecJson.toJson(Backbones.create("resnet20")));
        Result r = run("inspect", f.toString(), "--format", "json", "--input", "1x16x16");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"totalParams\""), r.out());
        assertTrue(r.out().contains("layer3.2.conv2"), r.out());
    }

    @Test
    void badInputsExitWithTwoAndOneLine() {
        for (String[] args : new String[][] {
            {"inspect", "vgg17"},
            {"inspect", "vgg16", "--input", "3x-1"},
            {"inspect", "missing.spec.json"},
            {"run", "--set", "data.dir=" + dir.resolve("nothing"), "--out", dir.resolve("o").toString()},
            {"run", "--set", "data.trainSize=-1"},
            {"run", "--out", "/proc/forbidden"},
            {"run", "--frobnicate"},
        }) {
            Result r = run(args);
            assertEquals(2, r.code(), String.join(" ", args) + " -> " + r.err());
            assertEquals(1, r.err().strip().lines().count(), String.join(" ", args) + " -> " + r.err());
            assertTrue(r.err().startsWith("waec: "), r.err());
        }
    }

    @Test
    void unknownOptionIsAUsageError() {
        Result r = run("inspect", "vgg16", "--frobnicate");
        assertEquals(2, r.code());
        assertEquals("waec: Unknown option: '--frobnicate' (see 'waec inspect --help')", r.err().strip());
    }

    @Test
    void inspectsAStrategyOnABackbone() {
        Result r = run("inspect", "wae-on-vgg16-ceil");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("4.38 G"), r.out());
        assertEquals(2, run("inspect", "zap-on-vgg16").code());
    }
}

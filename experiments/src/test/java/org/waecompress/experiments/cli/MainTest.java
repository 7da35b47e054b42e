package org.waecompress.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.backbones.Backbones;
import org.waecompress.experiments.harness.ResultStore;
import org.waecompress.experiments.result.Cost;
import org.waecompress.experiments.result.EngineTiming;
import org.waecompress.experiments.result.Errors;
import org.waecompress.experiments.result.ResultRow;
import org.waecompress.experiments.result.RowProvenance;
import org.waecompress.experiments.result.Timings;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.spec.SpecJson;

class MainTest {

    @TempDir
    Path dir;

    @Test
    void inspectPrintsPerLayerTableAndTotals() {
        CliRun.Result r = CliRun.run("inspect", "vgg16");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("features.0"), r.out());
        assertTrue(r.out().contains("total params: 138,357,544"), r.out());
        assertTrue(r.out().contains("15.47 G"), r.out());
    }

    @Test
    void inspectReadsSpecFilesAndJsonFormat() throws Exception {
        Path f = dir.resolve("r20.spec.json");
        Files.writeString(f, SpecJson.toJson(Backbones.create("resnet20")));
        CliRun.Result r = CliRun.run("inspect", f.toString(), "--format", "json", "--input", "1x16x16");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"totalParams\""), r.out());
        assertTrue(r.out().contains("layer3.2.conv2"), r.out());
    }

    @Test
    void anErrorThrownWhileGuiceBuildsTheRegistryIsReportedAsItself() {
        Injector injector = Guice.createInjector(b -> b.bind(String.class).toProvider(() -> {
            throw new InvalidSettingException("variant.taylor-2.base", "taylor-1",
                    "variant 'taylor-2' is already defined");
        }));
        ProvisionException wrapped = assertThrows(ProvisionException.class, () -> injector.getInstance(String.class));
        Throwable cause = Main.unwrapInjection(wrapped);
        assertTrue(cause instanceof InvalidSettingException, String.valueOf(cause));
        assertTrue(Main.isBadInput(cause));
        assertEquals("variant.taylor-2.base = taylor-1: variant 'taylor-2' is already defined", Main.oneLine(cause));
        IllegalStateException plain = new IllegalStateException("x");
        assertSame(plain, Main.unwrapInjection(plain));
    }

    @Test
    void badInputsExitWithTwoAndOneLine() {
        for (String[] args : new String[][] {
            {"inspect", "vgg17"},
            {"inspect", "vgg16", "--input", "3x-1"},
            {"inspect", "missing.spec.json"},
            {"inspect", "vgg16", "--profile", "--runs", "0"},
            {"inspect", "vgg16", "--profile", "--format", "json"},
            {"run", "--set", "data.dir=" + dir.resolve("nothing"), "--out", dir.resolve("o").toString()},
            {"run", "--set", "data.trainSize=-1"},
            {"run", "--set", "latency.forks=-1"},
            {"run", "--set", "device=gpu"},
            {"run", "--set", "device=gpu:x"},
            {"run", "--out", "/proc/forbidden"},
            {"run", "--frobnicate"},
        }) {
            CliRun.Result r = CliRun.run(args);
            assertEquals(2, r.code(), String.join(" ", args) + " -> " + r.err());
            assertEquals(1, r.err().strip().lines().count(), String.join(" ", args) + " -> " + r.err());
            assertTrue(r.err().startsWith("waec: "), r.err());
        }
    }

    @Test
    void aShiftAsLargeAsTheImagesIsRefusedBeforeTraining() {
        CliRun.Result r = CliRun.run("run", "--set", "data.kind=synthetic", "--set", "data.synthetic.size=8",
                "--set", "data.augment.shift=8", "--out", dir.resolve("aug").toString());
        assertEquals(2, r.code(), r.err());
        assertEquals("waec: data.augment.shift = 8: must be smaller than the images (8x8); use a few pixels, such as "
                + "2 or 4", r.err().strip());
    }

    @Test
    void aRunThatFailsBeforeTrainingLeavesNoEmptyFolderButKeepsAnExistingOnesLog() throws Exception {
        Path fresh = dir.resolve("fresh");
        CliRun.Result r = CliRun.run("run", "--set", "data.dir=" + dir.resolve("nothing"), "--out", fresh.toString());
        assertEquals(2, r.code(), r.err());
        assertFalse(Files.exists(fresh), "a failed start must not leave its run folder");

        Path kept = Files.createDirectories(dir.resolve("kept"));
        r = CliRun.run("run", "--set", "data.dir=" + dir.resolve("nothing"), "--out", kept.toString());
        assertEquals(2, r.code(), r.err());
        String log = Files.readString(kept.resolve("log.txt"));
        assertTrue(log.lines().anyMatch(l -> l.contains(" failed: ") && l.contains("nothing")), log);
    }

    @Test
    void unknownOptionIsAUsageError() {
        CliRun.Result r = CliRun.run("inspect", "vgg16", "--frobnicate");
        assertEquals(2, r.code());
        assertEquals("waec: Unknown option: '--frobnicate' (see 'waec inspect --help')", r.err().strip());
    }

    @Test
    void inspectsAStrategyOnABackbone() {
        CliRun.Result r = CliRun.run("inspect", "wae-on-vgg16-ceil");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("4.38 G"), r.out());
        assertEquals(2, CliRun.run("inspect", "zap-on-vgg16").code());
    }

    @Test
    void inspectTakesAStrategysSettingAsRunDoes() {
        String[] net = {"inspect", "wae-on-vgg16-bn-small", "--input", "1x32x32", "--width", "0.25"};
        CliRun.Result plain = CliRun.run(net);
        CliRun.Result full = CliRun.run(concat(net, "--set", "strategy.wae.highWidth=0.5"));
        CliRun.Result shortKey = CliRun.run(concat(net, "--set", "highWidth=0.5"));
        assertEquals(0, full.code(), full.err());
        assertEquals(full.out(), shortKey.out());
        assertTrue(!full.out().equals(plain.out()), "the setting changed nothing: " + full.out());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void latencyTimesNetworksAlternatelyAgainstTheFirst() throws Exception {
        Path onnx = dir.resolve("small.onnx");
        assertEquals(0, CliRun.run("export", "vgg16-bn-small", "--input", "1x16x16", "--width", "0.25", "--out",
                onnx.toString()).code());
        CliRun.Result r = CliRun.run("latency", onnx.toString(), "resnet20", "--input", "1x16x16", "--width", "0.25",
                "--runs", "4", "--warmup", "1", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).startsWith("ONNX Runtime "), r.out());
        assertTrue(lines.get(0).contains("median and p90 of 4 runs after 1 warm-up, back to back"), r.out());
        assertTrue(lines.get(2).startsWith(onnx.toString()) && lines.get(2).endsWith(" 1.00x"), r.out());
        assertTrue(lines.get(3).startsWith("resnet20 "), r.out());
        assertTrue(lines.get(4).startsWith("resident memory: "), r.out());
        CliRun.Result bad = CliRun.run("latency", onnx.toString(), "--engine", "pytorch");
        assertEquals(2, bad.code(), bad.err());
        assertEquals("waec: " + onnx + ": an ONNX file runs on --engine onnxruntime only", bad.err().strip());
    }

    @Test
    void profileOnOnnxRuntimeMapsKernelsToNodesAndOperators() {
        CliRun.Result r = CliRun.run("inspect", "wae-on-vgg16-bn-small", "--input", "1x32x32", "--width", "0.25",
                "--classes", "10", "--profile", "--depth", "2", "--runs", "5");
        assertEquals(0, r.code(), r.err());
        List<String> rows = r.out().lines().toList();
        for (String part : List.of("(network)", "encoder", "encoder.conv1", "split", "low", "lowHead", "high",
                "fusionHead", "(kernels ONNX Runtime added)")) {
            assertTrue(rows.stream().anyMatch(l -> l.strip().startsWith(part + " ")), part + " in " + r.out());
        }
        // the encoder's convolutions carry its time, not the activations ONNX Runtime fused them with
        String conv = rows.stream().filter(l -> l.strip().startsWith("encoder.conv2 ")).findFirst().orElseThrow();
        String relu = rows.stream().filter(l -> l.strip().startsWith("encoder.relu2 ")).findFirst().orElseThrow();
        assertTrue(!conv.contains(" 0.000 ") && relu.contains(" 0.000 "), conv + "\n" + relu);
        String whole = rows.stream().filter(l -> l.startsWith("(network)")).findFirst().orElseThrow();
        double share = Double.parseDouble(whole.replaceAll(".*\\s([0-9.]+)%\\s+100\\.0%.*", "$1"));
        assertTrue(share > 90, whole);
        assertTrue(rows.stream().anyMatch(l -> l.startsWith("Conv ")), r.out());
        assertTrue(r.out().contains("slowest kernels"), r.out());
        assertTrue(r.out().contains("profiler: median of 5 runs per kernel, batch 1"), r.out());
    }

    @Test
    void profileOnThePyTorchEngineTimesEveryNodeDownToTheDepth() {
        CliRun.Result r = CliRun.run("inspect", "wae-on-vgg16-bn-small", "--input", "1x32x32", "--width", "0.25",
                "--classes", "10", "--profile", "--engine", "pytorch", "--depth", "1", "--runs", "3");
        assertEquals(0, r.code(), r.err());
        List<String> rows = r.out().lines().toList();
        // the whole network, then encoder, split, normLow, normHigh, low, lowHead, high, fusionHead
        for (String part : List.of("(network)", "encoder", "split", "low", "lowHead", "high", "fusionHead")) {
            assertTrue(rows.stream().anyMatch(l -> l.strip().startsWith(part + " ")), part + " in " + r.out());
        }
        String whole = rows.stream().filter(l -> l.startsWith("(network)")).findFirst().orElseThrow();
        assertTrue(whole.matches(".*\\s100\\.0%\\s+100\\.0%\\s+1\\.00x\\s.*"), whole);
        assertTrue(r.out().contains("median of 3 alternated runs per node"), r.out());
    }

    private Path run(String name, long seed, double backboneErr, double waeErr, long waeMacs) throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        ResultStore store = new ResultStore(d);
        store.append(new ResultRow("backbone", "net (backbone)", "net", null, new Errors(backboneErr, null, 100),
                new Cost(78, 10, 1, null), new Timings(1, 4, List.of(new EngineTiming("onnxruntime", 2, 2, 2, 1, 10,
                null, null))), null, null, new RowProvenance(1, Map.of(), "t"), null));
        store.append(new ResultRow("wae", "wae", "wae-net", "wae", new Errors(waeErr, null, 100), new Cost(waeMacs, 10,
                3, null), new Timings(1, 4, List.of(new EngineTiming("onnxruntime", 1, 1, 2, 2, 10, null, null))),
                null, null, new RowProvenance(1, Map.of(), "t"), null));
        Files.writeString(d.resolve("provenance.json"),
                "{\"config\": {\"experiment.seed\": {\"value\": \"" + seed + "\", \"source\": \"--set\"}}}");
        return d;
    }

    @Test
    void tableOverSeveralRunsGivesEachMethodsMeanAndDistanceToItsBackbone() throws Exception {
        Path a = run("a", 42, 0.0609, 0.0695, 26);
        Path b = run("b", 43, 0.0620, 0.0716, 26);
        CliRun.Result r = CliRun.run("table", a.toString(), b.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("(2 runs)**"), r.out());
        assertTrue(r.out().contains("- Runs: " + a + " (seed 42), " + b + " (seed 43)."), r.out());
        assertTrue(r.out().contains(
                "| wae            |    2 |          7.06 | 0.15 | 6.95-7.16 |                    +0.91 |"),
                r.out());

        Path c = run("c", 44, 0.06, 0.07, 30);
        CliRun.Result bad = CliRun.run("table", a.toString(), c.toString());
        assertEquals(2, bad.code(), bad.err());
        assertEquals("waec: row 'wae' has 26 MACs in " + a + " (seed 42) but 30 in " + c + " (seed 44); summarise "
                + "runs of one plan (same backbone, width and input)", bad.err().strip());
    }
}

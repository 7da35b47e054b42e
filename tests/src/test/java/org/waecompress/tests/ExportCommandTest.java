package org.waecompress.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.backbones.Backbones;
import org.waecompress.backbones.SafeTensors;
import org.waecompress.experiments.cli.CliRun;
import org.waecompress.experiments.onnx.OnnxTesting;
import org.waecompress.experiments.onnx.OrtNetwork;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.FlattenSpec;
import org.waecompress.spi.spec.Int8Spec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.PoolSpec;
import org.waecompress.spi.spec.SequentialSpec;

/** {@code waec export}: files that run in ONNX Runtime, weights imported first, and one line for bad input. */
class ExportCommandTest {

    @TempDir
    Path dir;

    @Test
    void importedWeightsComeOutAsAFileThatGivesTheSameLogits() throws Exception {
        Path weights = dir.resolve("small.safetensors");
        Path onnx = dir.resolve("small.onnx");
        try (Network source = OnnxTesting.randomized(Backbones.create("vgg16-bn-small", new Shape(1, 32, 32), 10,
                0.25), 10, 3)) {
            SafeTensors.write(weights, source.weights(), Map.of("format", "pt"));
            CliRun.Result r = CliRun.run("export", "vgg16-bn-small", "--width", "0.25", "--weights", weights.toString(),
                    "--out", onnx.toString());
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("imported (small.safetensors) weights"), r.out());
            // ONNX Runtime on the file against the PyTorch engine on the source network
            float[] x = new float[1024];
            Random rnd = new Random(5);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            float[] expected;
            try (NDManager m = NDManager.newBaseManager(); BuiltNetwork b = source.build(m)) {
                NDArray in = b.manager().create(x, new Shape(1, 1, 32, 32));
                expected = b.forward(new NDList(in), false).head().toFloatArray();
            }
            float[] actual;
            try (OrtNetwork o = OrtNetwork.open(onnx, 1)) {
                actual = o.run(x, 1).get(0);
            }
            double max = 0;
            double mag = 0;
            for (int i = 0; i < expected.length; i++) {
                max = Math.max(max, Math.abs(expected[i] - actual[i]));
                mag = Math.max(mag, Math.abs(expected[i]));
            }
            assertTrue(max <= 1e-4 * mag, max + " against " + mag);
        }
    }

    @Test
    void randomWeightsForAStrategysArchitecture() {
        Path onnx = dir.resolve("wae.onnx");
        CliRun.Result r = CliRun.run("export", "wae-on-vgg16-bn-small", "--width", "0.25", "--out", onnx.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("wrote " + onnx + ": wae-vgg16-bn-small-w0.25, input (batch, 1, 32, 32)"),
                r.out());
        assertTrue(r.out().contains("random (seed 42) weights"), r.out());
        assertTrue(Files.exists(onnx));
    }

    @Test
    void badInputGetsOneLineExitTwoAndNoFile() throws Exception {
        Path other = dir.resolve("resnet20.safetensors");
        try (Network n = Network.random(Backbones.create("resnet20", new Shape(1, 32, 32), 10, 0.25), 10, 1)) {
            SafeTensors.write(other, n.weights(), Map.of());
        }
        Path out = dir.resolve("out.onnx");
        for (String[] args : new String[][] {
            {"export", "vgg16-bn-small", "--weights", dir.resolve("missing.safetensors").toString(), "--out",
                out.toString()},
            {"export", "vgg16-bn-small", "--width", "0.25", "--weights", other.toString(), "--out", out.toString()},
            {"export", "vgg16-bn-small", "--out", dir.resolve("no/such/folder/x.onnx").toString()},
            {"export", "opaque-on-vgg16-bn-small", "--width", "0.25", "--out", out.toString()},
            {"export", "vgg16-bn-small", "--out", dir.toString()},
            {"export", dir.resolve("missing.spec.json").toString(), "--out", out.toString()},
        }) {
            CliRun.Result r = CliRun.run(args);
            String what = String.join(" ", args) + " -> " + r.err();
            assertEquals(2, r.code(), what);
            assertEquals(1, r.err().strip().lines().count(), what);
            assertTrue(r.err().startsWith("waec: "), what);
        }
        assertTrue(CliRun.run("export", "opaque-on-vgg16-bn-small", "--out", out.toString()).err()
                .contains("node type 'testOpaque'"));
        assertTrue(CliRun.run("export", "vgg16-bn-small", "--width", "0.25", "--weights", other.toString(), "--out",
                out.toString()).err().contains(other.toString()));
        try (Stream<Path> left = Files.list(dir)) {
            List<String> names = left.map(p -> p.getFileName().toString()).toList();
            assertFalse(names.stream().anyMatch(n -> n.contains("out.onnx")), "no partial file: " + names);
        }
    }

    @Test
    void int8InOneCommandGivesAFileOfInt8Layers() throws Exception {
        Path onnx = dir.resolve("q.onnx");
        CliRun.Result r = CliRun.run("export", "vgg16-bn-small", "--width", "0.125", "--input", "1x16x16", "--int8",
                "--calibration-images", "32", "--calibrator", "minmax", "--out", onnx.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("wrote " + onnx + ": int8-vgg16-bn-small"), r.out());
        assertTrue(r.out().contains("for int8"), "checked with the int8 tolerance: " + r.out());
        assertTrue(r.err().contains("calibrating on synthetic images"), r.err());
        try (OrtNetwork o = OrtNetwork.open(onnx, 1)) {
            assertTrue(o.spec().nodes().stream().anyMatch(v -> v.node() instanceof Int8Spec), "int8 layers");
            assertEquals(10, o.run(new float[256], 1).get(0).length);
        }
    }

    @Test
    void int8BadInputGetsOneLineExitTwoAndNoFile() throws Exception {
        Path saved;
        try (Network pool = Network.random(new NetworkSpec("pool", new Shape(1, 8, 8), SequentialSpec.of("",
                PoolSpec.max("p", 2, 2, 0, false), new FlattenSpec("f"))), 16, 1)) {
            saved = pool.save(dir, "pool");
        }
        Path out = dir.resolve("out.onnx");
        for (String[] args : new String[][] {
            {"export", saved.toString(), "--int8", "--out", out.toString()},
            {"export", "vgg16-bn-small", "--calibration", dir.toString(), "--out", out.toString()},
            {"export", "vgg16-bn-small", "--int8", "--calibrator", "median", "--out", out.toString()},
            {"export", "vgg16-bn-small", "--int8", "--calibration", dir.resolve("none").toString(), "--out",
                out.toString()},
        }) {
            CliRun.Result r = CliRun.run(args);
            String what = String.join(" ", args) + " -> " + r.err();
            assertEquals(2, r.code(), what);
            assertEquals(1, r.err().strip().lines().count(), what);
        }
        assertTrue(CliRun.run("export", saved.toString(), "--int8", "--out", out.toString()).err()
                .contains("has no layer int8 can quantize"));
        assertFalse(Files.exists(out));
    }

    @Test
    void aFileThatIsNotOnnxAndAnOutputFolderThatCannotBeWrittenAreBadInput() throws Exception {
        Path text = dir.resolve("text.onnx");
        Files.writeString(text, "not a model\n");
        Path cut = dir.resolve("cut.onnx");
        try (Network n = Network.random(Backbones.create("vgg16-bn-small", new Shape(1, 16, 16), 4, 0.125), 4, 1)) {
            Path whole = dir.resolve("whole.onnx");
            org.waecompress.experiments.onnx.OnnxExport.write(n, whole);
            byte[] b = Files.readAllBytes(whole);
            Files.write(cut, java.util.Arrays.copyOf(b, b.length / 2));
        }
        for (Path f : List.of(text, cut)) {
            CliRun.Result r = CliRun.run("latency", f.toString(), "--runs", "1", "--warmup", "0");
            assertEquals(2, r.code(), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().startsWith("waec: " + f + ": ONNX Runtime cannot load it"), r.err());
        }
        CliRun.Result r = CliRun.run("export", "vgg16-bn-small", "--out", "/proc/x.onnx");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("waec: --out /proc/x.onnx: cannot write in /proc"), r.err());
    }
}

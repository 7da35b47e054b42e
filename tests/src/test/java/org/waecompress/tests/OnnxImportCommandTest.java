package org.waecompress.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.experiments.cli.CliRun;
import org.waecompress.experiments.harness.ResultStore;
import org.waecompress.experiments.onnx.OnnxGraphs;
import org.waecompress.experiments.onnx.OrtNetwork;
import org.waecompress.experiments.result.ResultRow;
import org.waecompress.experiments.testkit.TinyPlan;

/**
 * Compressing a model one has as an ONNX file: {@code waec inspect|export FILE.onnx} and a run with
 * {@code backbone.onnx}, every strategy on it, each row's file running in ONNX Runtime; bad files and
 * mismatched data are one line, exit 2, nothing written.
 */
class OnnxImportCommandTest {

    @TempDir
    Path dir;

    /**
     * A small MobileNet-and-SqueezeNet classifier as PyTorch writes it: 1x16x16 input, 4 classes; a
     * stem with ReLU6, an inverted residual with a depthwise convolution, a fire block's concat, global
     * pooling, a Gemm head.
     */
    static Path model(Path dir) throws Exception {
        OnnxGraphs g = new OnnxGraphs(1, 16, 16, 11);
        String x = g.relu6("/stem/Clip", g.conv("stem", "input", 1, 16, 3, 2, 1, 1));
        String e = g.relu6("/block/expand/Clip", g.conv("block.expand", x, 16, 32, 1, 1, 0, 1));
        String d = g.relu6("/block/dw/Clip", g.conv("block.dw", e, 32, 32, 3, 1, 1, 32));
        String sum = g.op("Add", "/block/Add", x, g.conv("block.project", d, 32, 16, 1, 1, 0, 1)).out();
        String sq = g.op("Relu", "/fire/Relu", g.conv("fire.squeeze", sum, 16, 16, 1, 1, 0, 1)).out();
        String e1 = g.op("Relu", "/fire/e1/Relu", g.conv("fire.e1", sq, 16, 16, 1, 1, 0, 1)).out();
        String e3 = g.op("Relu", "/fire/e3/Relu", g.conv("fire.e3", sq, 16, 16, 3, 1, 1, 1)).out();
        String cat = g.op("Concat", "/fire/Concat", e1, e3).i("axis", 1).out();
        String gap = g.op("GlobalAveragePool", "/gap", cat).out();
        String flat = g.op("Flatten", "/flatten", gap).i("axis", 1).out();
        String y = g.op("Gemm", "/fc/Gemm", flat, g.weight("fc.weight", 0.2, 4, 32), g.weight("fc.bias", 0.1, 4))
                .i("transB", 1).out();
        return g.output(y, 4).write(dir.resolve("mine.onnx"));
    }

    @Test
    void everyStrategyCompressesAnImportedModelAndEachFileRuns() throws Exception {
        Path f = model(dir);
        Path out = dir.resolve("run");
        List<String> args = TinyPlan.args(out, "--set", "backbone.onnx=" + f, "--set",
                "strategies=thinet,taylor-1,lowrank,int8,wae", "--set", "output.onnx=true", "--set",
                "strategy.int8.calibrationImages=32", "--set", "train.epochs=0", "--set",
                "strategy.taylor-1.targetSpeedup=1.3");
        CliRun.Result r = CliRun.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        List<ResultRow> rows = new ResultStore(out).read();
        assertEquals(List.of("backbone", "thinet", "taylor-1", "lowrank", "int8", "wae"),
                rows.stream().map(ResultRow::id).toList());
        assertTrue(r.out().contains("mine.onnx"), r.out());
        // the pruning and low-rank rows are smaller (WAE's encoder outweighs what it saves on so small a model)
        for (ResultRow row : rows.subList(1, 4)) {
            assertTrue(row.cost().macs() < rows.get(0).cost().macs(), row.id());
        }
        // ReLU6 is quantized like ReLU (the quantization after it clips): nothing of this model stays float
        ResultRow int8 = rows.get(4);
        assertTrue(int8.cost().floatNodes() == null || int8.cost().floatNodes().isEmpty(),
                String.valueOf(int8.cost().floatNodes()));
        // the backbone was not trained: train.epochs is 0 when backbone.onnx gives the weights
        assertTrue(r.err().contains("backbone: loaded from " + f), r.err());
        try (var files = Files.list(out.resolve("networks"))) {
            List<Path> onnx = files.filter(p -> p.toString().endsWith(".onnx")).toList();
            assertEquals(rows.size(), onnx.size(), onnx.toString());
            for (Path p : onnx) {
                try (OrtNetwork o = OrtNetwork.open(p, 1)) {
                    assertEquals(4, o.run(new float[256], 1).get(0).length, p.toString());
                }
            }
        }
    }

    @Test
    void inspectAndExportReadTheFile() throws Exception {
        Path f = model(dir);
        CliRun.Result r = CliRun.run("inspect", f.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("block.dw") && r.out().contains("fire.e3"), r.out());
        Path out = dir.resolve("again.onnx");
        r = CliRun.run("export", f.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("checked against " + f + " itself"), r.out());
        r = CliRun.run("inspect", "thinet-on-" + f, "--set", "ratio=0.5");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("block.expand"), r.out());
    }

    @Test
    void badFilesAndMismatchedDataAreOneLineAndWriteNothing() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.onnx"), "hello\n");
        Path out = dir.resolve("out.onnx");
        String err = RunIntegrityTest.oneLine(CliRun.run("export", text.toString(), "--out", out.toString()));
        assertTrue(err.contains(text + ": not an ONNX model"), err);
        assertFalse(Files.exists(out));
        Path run = dir.resolve("run");
        err = RunIntegrityTest.oneLine(CliRun.run(TinyPlan.args(run, "--set", "backbone.onnx=" + dir.resolve("none"
                + ".onnx")).toArray(String[]::new)));
        assertTrue(err.contains("backbone.onnx") && err.contains("file not found"), err);
        Path f = model(dir);
        err = RunIntegrityTest.oneLine(CliRun.run(TinyPlan.args(run, "--set", "backbone.onnx=" + f, "--set",
                "data.synthetic.classes=3").toArray(String[]::new)));
        assertTrue(err.contains("has 4 classes but the data 3"), err);
        err = RunIntegrityTest.oneLine(CliRun.run(TinyPlan.args(run, "--set", "backbone.onnx=" + f, "--set",
                "data.synthetic.size=20").toArray(String[]::new)));
        assertTrue(err.contains("takes images of (1, 16, 16)"), err);
        assertFalse(Files.exists(run.resolve("results.jsonl")));
    }
}

package org.waecompress.experiments.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.backbones.Backbones;
import org.waecompress.experiments.onnx.OnnxExport;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.train.ProgressListener;

@Tag("slow")
class ForkedLatencyTest {

    @TempDir
    Path dir;

    @Test
    void eachForkTimesTheSavedNetworksAndTheResultIsTheirMedian() {
        Path big;
        Path small;
        try (Network a = Network.random(Backbones.create("vgg16-bn-small", new Shape(1, 16, 16), 4, 0.5), 4, 1);
                Network b = Network.random(Backbones.create("vgg16-bn-small", new Shape(1, 16, 16), 4, 0.125), 4, 1)) {
            big = a.save(dir.resolve("nets"), "big");
            small = b.save(dir.resolve("nets"), "small");
        }
        ForkedLatency.Result r = ForkedLatency.measure(LatencyEngine.PYTORCH, List.of(big, small), settings(3, 0),
                dir.resolve("work"), ProgressListener.NONE);
        assertEquals(2, r.latency().size());
        assertEquals(3, r.speedups().size());
        for (Latency.Stats st : r.latency()) {
            assertEquals(1, st.batch());
            assertEquals(15, st.runs(), "5 timed runs in each of 3 forks");
            assertTrue(st.medianMs() > 0 && st.p90Ms() >= st.medianMs() * 0.999, st.toString());
        }
        assertEquals(2, r.throughput().get(1).batch());
        assertEquals(9, r.throughput().get(1).runs());
        double[] sp = r.speedups().stream().mapToDouble(Double::doubleValue).sorted().toArray();
        assertEquals(sp[1], r.medianSpeedup(), 0.0);
        assertTrue(sp[0] > 0 && Double.isFinite(sp[2]), r.speedups().toString());
    }

    /** Batch 1, 1 warm-up, 5 runs; throughput batch 2 with 3 runs (a third of 5, at least 3). */
    static LatencySettings settings(int forks, int gapMs) {
        return new LatencySettings(List.of(LatencyEngine.ONNXRUNTIME), 1, 5, 1, 2, forks, gapMs, 1);
    }

    @Test
    void onnxRuntimeForksTimeTheExportedFilesWithTheIdleGap() throws Exception {
        Path big = dir.resolve("big.onnx");
        Path small = dir.resolve("small.onnx");
        try (Network a = Network.random(Backbones.create("vgg16-bn-small", new Shape(1, 16, 16), 4, 0.5), 4, 1);
                Network b = Network.random(Backbones.create("vgg16-bn-small", new Shape(1, 16, 16), 4, 0.125), 4, 1)) {
            OnnxExport.write(a, big);
            OnnxExport.write(b, small);
        }
        ForkedLatency.Result r = ForkedLatency.measure(LatencyEngine.ONNXRUNTIME, List.of(big, small), settings(2, 20),
                dir.resolve("work"), ProgressListener.NONE);
        assertEquals(2, r.speedups().size());
        assertEquals(10, r.latency().get(0).runs(), "5 timed runs in each of 2 forks");
        assertEquals(6, r.throughput().get(1).runs());
        for (int f = 1; f <= 2; f++) {
            // each fork idles 20 ms before each of (1 + 5) x 2 latency and (1 + 3) x 2 throughput runs: 0.4 s
            double seconds = new Gson().fromJson(Files.readString(dir.resolve("work/fork-" + f + ".json")),
                    ForkedLatency.ForkOutput.class).seconds();
            assertTrue(seconds >= 0.4, "fork " + f + ": " + seconds + " s (the idle gaps alone take 0.4 s)");
        }
    }

    @Test
    void aForkThatFailsNamesItselfAndQuotesItsError() {
        Path missing = dir.resolve("missing.spec.json");
        CompressionException e = assertThrows(CompressionException.class, () -> ForkedLatency.measure(
                LatencyEngine.PYTORCH, List.of(missing), settings(2, 0), dir.resolve("work"), ProgressListener.NONE));
        assertTrue(e.getMessage().startsWith("latency fork 1/2 failed (exit 1): latency fork: " + missing),
                e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertEquals(2.5, Latency.median(new double[] {4, 1, 3, 2}), 0.0);
        assertEquals(3.0, Latency.median(new double[] {3}), 0.0);
    }
}

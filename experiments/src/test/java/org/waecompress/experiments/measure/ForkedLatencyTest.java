package org.waecompress.experiments.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.backbones.Backbones;
import org.waecompress.spi.CompressionException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.train.ProgressListener;

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
        ForkedLatency.Result r = ForkedLatency.measure(List.of(big, small), 3, 1, 1, 5, 2, 3, dir.resolve("work"),
                ProgressListener.NONE);
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

    @Test
    void aForkThatFailsNamesItselfAndQuotesItsError() {
        Path missing = dir.resolve("missing.spec.json");
        CompressionException e = assertThrows(CompressionException.class, () -> ForkedLatency.measure(
                List.of(missing), 2, 1, 0, 1, 1, 1, dir.resolve("work"), ProgressListener.NONE));
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

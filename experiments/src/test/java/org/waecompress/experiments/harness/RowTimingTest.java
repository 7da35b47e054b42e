package org.waecompress.experiments.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.waecompress.experiments.measure.Latency;
import org.waecompress.experiments.measure.LatencyEngine;
import org.waecompress.experiments.result.EngineTiming;

/** A row's timing from one process's medians: the speed-up the table prints. */
class RowTimingTest {

    @Test
    void theRowsSpeedUpIsTheBackbonesMedianOverItsNetworks() {
        List<Latency.Stats> lat = List.of(new Latency.Stats(1, 8.0, 9.0, 20), new Latency.Stats(1, 2.0, 2.5, 20));
        List<Latency.Stats> thr = List.of(new Latency.Stats(4, 20.0, 21.0, 5), new Latency.Stats(4, 5.0, 6.0, 5));
        EngineTiming t = RowTiming.timing(LatencyEngine.ONNXRUNTIME, lat, thr);
        assertEquals(4.0, t.speedup(), 0);
        assertEquals(2.0, t.medianMs(), 0);
        assertEquals(8.0, t.baselineMs(), 0);
        assertEquals(800.0, t.throughput(), 1e-9);
    }
}

package org.waecompress.baselines.int8;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.waecompress.spi.data.ArrayImageDataset;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.FlattenSpec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.train.ProgressEvent;
import org.waecompress.spi.train.ProgressListener;

/** What a point saw, turned into its range by each calibrator. */
class CalibrationTest {

    /** Half of the values exactly zero (a ReLU's), the rest spread evenly over (0, 10]. */
    static Calibration.Stats reluLike() {
        Calibration.Stats s = new Calibration.Stats();
        s.min = 0;
        s.max = 10;
        s.histogram = new long[Calibrators.BINS];
        s.binWidth = 10.0 / Calibrators.BINS;
        for (int i = 0; i < Calibrators.BINS; i++) {
            s.histogram[i] = 10;
        }
        s.zeros = 10L * Calibrators.BINS;
        return s;
    }

    @Test
    void thePercentileCountsTheZerosAndTheEntropySearchLeavesThemOut() {
        Calibration.Stats s = reluLike();
        // with the zeros, half the values lie at 0: the 75th percentile is the middle of the spread
        Calibrators.Range p = Calibration.range(s, "percentile", 75);
        assertEquals(5.0, p.high(), 10.0 / Calibrators.BINS);
        assertEquals(0, p.low(), 0);
        // the even spread is kept whole by the entropy search, whatever the zeros
        assertEquals(10.0, Calibration.range(s, "entropy", 0).high(), 1e-9);
        assertEquals(10.0, Calibration.range(s, "minmax", 0).high(), 0);
    }

    @Test
    void histogramsSpanTheLargestMagnitudeSoThatTheFullPercentileIsTheMaximum() {
        // the identity on 4 values, each image 0..3 scaled by its index: the input point sees 0 .. 3 * 39
        NetworkSpec spec = new NetworkSpec("id", new Shape(1, 2, 2), SequentialSpec.of("", new FlattenSpec("f"),
                new LinearSpec("fc", 4, 4, false)));
        float[] pixels = new float[40 * 4];
        for (int n = 0; n < 40; n++) {
            for (int j = 0; j < 4; j++) {
                pixels[n * 4 + j] = (float) (n * j);
            }
        }
        ArrayImageDataset images = new ArrayImageDataset("ramp", pixels, new int[40], new Shape(1, 2, 2),
                List.of("a"));
        List<String> messages = new ArrayList<>();
        ProgressListener log = new ProgressListener() {
            @Override
            public void progress(ProgressEvent event) {}

            @Override
            public void message(String text) {
                messages.add(text);
            }
        };
        try (Network net = Network.random(spec, 4, 1)) {
            Int8Quantizer.Planned obs = Int8Quantizer.plan(Int8Quantizer.fold(spec).spec(), null);
            try (Network o = Network.of(obs.spec(), 4, net.weights(), "t")) {
                Map<Integer, Calibrators.Range> r = Calibration.calibrate(o, obs, images,
                        IntStream.range(0, 40).toArray(), 16, "percentile", 100, "int8", log);
                assertEquals(117.0, r.get(0).high(), 1e-6);
                Map<Integer, Calibrators.Range> half = Calibration.calibrate(o, obs, images,
                        IntStream.range(0, 40).toArray(), 16, "percentile", 50, "int8", log);
                // 43 of the 160 values are zeros; the 80th smallest is 21, within a bin of 117 / 2048
                assertEquals(21.0, half.get(0).high(), 117.0 / Calibrators.BINS);
            }
        }
        assertTrue(messages.contains("int8: calibration histograms (percentile)"), messages.toString());
    }
}

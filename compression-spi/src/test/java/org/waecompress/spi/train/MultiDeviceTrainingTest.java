package org.waecompress.spi.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.waecompress.spi.data.ArrayImageDataset;
import org.waecompress.spi.data.SyntheticImages;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.ActivationSpec;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.GlobalAvgPoolSpec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SequentialSpec;

/**
 * Data-parallel training over several devices, tested with two CPU "devices": every batch is split in two
 * shards, one per replica, and the replicas' gradients, weighted by their shares, make the full batch's
 * gradient, so the trained weights are those of one device to float rounding.
 */
class MultiDeviceTrainingTest {

    @AfterEach
    void oneDeviceAgain() {
        Devices.use(null);
    }

    /** No batch-norm: each shard's forward pass then does not depend on the other shard. */
    private static NetworkSpec plainCnn() {
        return new NetworkSpec("plain-cnn", new Shape(1, 12, 12), SequentialSpec.of("",
                ConvSpec.of("c1", 1, 8, 3, 1, 1, true), ActivationSpec.relu("r1"),
                ConvSpec.of("c2", 8, 16, 3, 2, 1, true), ActivationSpec.relu("r2"),
                new GlobalAvgPoolSpec("gap"), new LinearSpec("fc", 16, 3, true)));
    }

    private static Map<String, float[]> train(List<Device> devices, int batch) {
        Devices.use(devices);
        ArrayImageDataset data = SyntheticImages.create(1, 60, new Shape(1, 12, 12), 3, 0.1);
        TrainSettings s = TrainSettings.builder().epochs(2).batchSize(batch).learningRate(0.05).seed(3).build();
        try (Network init = Network.random(plainCnn(), 3, 7);
                Network out = new NetworkTrainer(ProgressListener.NONE).train("dp", init, data, s).network()) {
            Map<String, float[]> w = new java.util.LinkedHashMap<>();
            out.weights().forEach((k, v) -> w.put(k, v.toFloatArray()));
            return w;
        }
    }

    @Test
    void twoReplicasTrainAsOneDevice() {
        // 60 images in batches of 16: the last batch has 12, and odd batch sizes split unevenly
        Map<String, float[]> one = train(List.of(Device.cpu()), 16);
        Map<String, float[]> two = train(List.of(Device.cpu(), Device.cpu()), 16);
        Map<String, float[]> oneOdd = train(List.of(Device.cpu()), 13);
        Map<String, float[]> twoOdd = train(List.of(Device.cpu(), Device.cpu()), 13);
        Map<String, float[]> init;
        try (Network n = Network.random(plainCnn(), 3, 7)) {
            init = new java.util.LinkedHashMap<>();
            n.weights().forEach((k, v) -> init.put(k, v.toFloatArray()));
        }
        for (String k : one.keySet()) {
            assertClose(one.get(k), two.get(k), k);
            assertClose(oneOdd.get(k), twoOdd.get(k), k + " (uneven shards)");
            assertTrue(maxDiff(init.get(k), two.get(k)) > 1e-4, k + " did not train");
        }
    }

    private static void assertClose(float[] a, float[] b, String what) {
        assertEquals(a.length, b.length, what);
        double scale = 0;
        for (float v : a) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertTrue(maxDiff(a, b) <= 1e-5 * Math.max(1, scale), what + ": max difference " + maxDiff(a, b));
    }

    private static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}

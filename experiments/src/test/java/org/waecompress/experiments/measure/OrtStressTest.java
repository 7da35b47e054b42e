package org.waecompress.experiments.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.backbones.Backbones;
import org.waecompress.experiments.onnx.OnnxExport;
import org.waecompress.experiments.onnx.OrtNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.train.ProgressListener;

/**
 * Issue 29, item 11: a Spark-executor run crashed once with SIGSEGV inside ONNX Runtime while the driver
 * timed rows ({@code OrtSession.run} from {@code Latency.alternate}). This stresses what that run did at
 * once, in one JVM: sessions opened, timed alternately and closed round after round on the process's
 * one global thread pool, while another thread (a task) opens, runs and closes sessions of its own on the
 * same pool, a third runs the PyTorch engine (a task training beside the driver) and a fourth allocates
 * garbage and calls the collector, so that any input, output or session
 * whose native memory outlived its Java owner would be freed under a running kernel. A crash ends the test
 * JVM (surefire reports it); an exception in a thread fails the test.
 */
@Tag("slow")
class OrtStressTest {

    @TempDir
    Path dir;

    @Test
    void sessionsAlternatedAndClosedWhileAnotherThreadRunsItsOwnAndTheCollectorRuns() throws Exception {
        List<Path> files = new ArrayList<>();
        double[] widths = {0.5, 0.25, 0.125};
        for (int i = 0; i < widths.length; i++) {
            try (Network n = Network.random(Backbones.create("vgg16-bn-small", new Shape(1, 16, 16), 4, widths[i]),
                    4, i)) {
                Path f = dir.resolve("n" + i + ".onnx");
                OnnxExport.write(n, f);
                files.add(f);
            }
        }
        int threads = OrtNetwork.defaultThreads();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        AtomicInteger taskRuns = new AtomicInteger();
        Thread task = new Thread(() -> {
            Random r = new Random(1);
            try {
                while (!stop.get()) {
                    try (OrtNetwork s = OrtNetwork.open(files.get(r.nextInt(files.size())), threads)) {
                        for (int k = 0; k < 10; k++) {
                            float[] x = new float[2 * 16 * 16];
                            for (int j = 0; j < x.length; j++) {
                                x[j] = r.nextFloat();
                            }
                            float[] y = s.run(x, 2).get(0);
                            assertEquals(8, y.length);
                            assertTrue(Float.isFinite(y[0]));
                            taskRuns.incrementAndGet();
                        }
                    }
                }
            } catch (Throwable t) {
                failed.compareAndSet(null, t);
            }
        }, "task");
        Thread garbage = new Thread(() -> {
            List<byte[]> keep = new ArrayList<>();
            try {
                while (!stop.get()) {
                    keep.add(new byte[1 << 20]);
                    if (keep.size() > 64) {
                        keep.clear();
                        System.gc();
                    }
                    Thread.sleep(2);
                }
            } catch (Throwable t) {
                failed.compareAndSet(null, t);
            }
        }, "garbage");
        // a Spark task trains on the PyTorch engine meanwhile: its native thread pool beside ONNX Runtime's
        Thread torch = new Thread(() -> {
            try (Network n = Network.random(Backbones.create("vgg16-bn-small", new Shape(1, 16, 16), 4, 0.25), 4, 9);
                    ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager();
                    org.waecompress.spi.network.BuiltNetwork b = n.build(m)) {
                while (!stop.get()) {
                    try (ai.djl.ndarray.NDManager sm = m.newSubManager()) {
                        b.predict(sm.randomUniform(0f, 1f, new Shape(8, 1, 16, 16)));
                    }
                }
            } catch (Throwable t) {
                failed.compareAndSet(null, t);
            }
        }, "torch");
        task.start();
        garbage.start();
        torch.start();
        try {
            for (int round = 0; round < 60; round++) {
                List<OrtTimed> nets = new ArrayList<>();
                try {
                    for (Path f : files) {
                        nets.add(new OrtTimed(OrtNetwork.open(f, threads), true));
                    }
                    List<Latency.Stats> st = Latency.alternate(nets, 1 + round % 3, 2, 25, 0, ProgressListener.NONE);
                    assertEquals(3, st.size());
                    st.forEach(s -> assertTrue(s.medianMs() > 0, s.toString()));
                } finally {
                    nets.forEach(OrtTimed::close);
                }
                int done = round;
                assertEquals(null, failed.get(), () -> "round " + done + ": " + failed.get());
            }
        } finally {
            stop.set(true);
            task.join();
            garbage.join();
            torch.join();
        }
        assertEquals(null, failed.get());
        assertTrue(taskRuns.get() > 0, "the other thread ran sessions meanwhile");
    }
}

package org.waecompress.experiments.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.error.DataException;
import org.waecompress.spi.spec.ActivationSpec;
import org.waecompress.spi.spec.BatchNormSpec;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.FlattenSpec;
import org.waecompress.spi.spec.LinearSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.PoolSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecTraversal;
import org.waecompress.spi.train.ProgressListener;

/**
 * The latency model against a runtime whose time is known: a fake whose cost is a fixed part, each
 * layer's MACs, each pool, and a penalty between two convolutions when the first one's channels miss a
 * multiple of 8 (what a blocked layout costs), so that a model which timed pieces alone, out of their
 * neighbours' context, would be wrong by exactly those penalties.
 */
class LatencyModelTest {

    private static final LatencyTable.Machine HERE = new LatencyTable.Machine("test CPU (AVX2)", "fake runtime 1.0", 2);

    static final double FIXED = 0.010;
    static final double PENALTY = 0.005;

    /** The fake runtime's time of a network. */
    static double fakeMs(NetworkSpec net) {
        double t = FIXED + CostReport.of(net).totalMacs() * 1e-6;
        ConvSpec prev = null;
        for (SpecTraversal.Visited v : net.nodes()) {
            if (v.node() instanceof ConvSpec c) {
                if (prev != null && prev.out() % 8 != 0) {
                    t += PENALTY;
                }
                prev = c;
            } else if (v.node() instanceof PoolSpec) {
                t += 0.002;
            }
        }
        return t;
    }

    /** A measurer on the fake runtime that counts its calls; while {@code slowCalls} lasts, it runs slow. */
    static final class Fake implements LatencyModel.Measurer {
        final AtomicInteger calls = new AtomicInteger();
        double slowFactor = 1;
        int slowCalls;

        @Override
        public List<Latency.Stats> time(List<NetworkSpec> nets) {
            calls.incrementAndGet();
            List<Latency.Stats> out = new ArrayList<>();
            for (NetworkSpec n : nets) {
                double ms = fakeMs(n) * (slowCalls > 0 ? slowFactor : 1);
                out.add(new Latency.Stats(1, ms, ms, 20));
            }
            slowCalls = Math.max(0, slowCalls - 1);
            return out;
        }
    }

    /** Two stages of convolutions (6, 12, 16 channels: 6 and 12 miss the multiple), then a classifier. */
    static NetworkSpec net() {
        return net(16);
    }

    /** The same with {@code c} channels in the last convolution. */
    static NetworkSpec net(int c) {
        return new NetworkSpec("lm", new Shape(1, 8, 8), SequentialSpec.of("",
                SequentialSpec.of("features",
                        ConvSpec.of("a", 1, 6, 3, 1, 1, false), new BatchNormSpec("abn", 6, true, 1e-5, 0.1),
                        ActivationSpec.relu("ar"),
                        ConvSpec.of("b", 6, 12, 3, 1, 1, true), ActivationSpec.relu("br"), PoolSpec.max("bp", 2, 2, 0,
                                false),
                        ConvSpec.of("c", 12, c, 3, 1, 1, true), ActivationSpec.relu("cr")),
                SequentialSpec.of("classifier", new FlattenSpec("f"), new LinearSpec("fc", c * 16, 3, true))));
    }

    private static LatencyModel model(Path file, Fake fake) {
        return new LatencyModel(LatencyTable.open(file, HERE, file.getParent(), System.err), fake);
    }

    @Test
    void aNetworkIsCutIntoComputingNodesWithWhatFollowsThem() {
        List<LatencyModel.Piece> p = LatencyModel.pieces(net());
        assertEquals(List.of("features.a", "features.b", "features.c", "classifier.fc"), p.stream()
                .map(LatencyModel.Piece::path).toList());
        assertEquals("conv 1x8x8->6x8x8 +batchNorm+relu", p.get(0).label());
        assertEquals("conv 6x8x8->12x8x8 +relu+pool", p.get(1).label());
        assertEquals(List.of("features.c", "features.cr", "classifier.f"), p.get(2).paths(),
                "the flatten follows the last convolution into its piece");
        assertEquals(new Shape(12, 4, 4), p.get(2).spec().inputShape());
        assertEquals(CostReport.of(net()).totalMacs(), p.stream().mapToLong(LatencyModel.Piece::macs).sum());
        // the same computation anywhere is the same piece
        assertEquals(LatencyModel.pieces(net()).get(1).sig(), p.get(1).sig());
        assertNotEquals(p.get(1).sig(), p.get(2).sig());
    }

    @Test
    void thePredictionIsTheWholeNetworksTimeWhenTimesAddUpPieceByPiece(@TempDir Path dir) {
        Fake fake = new Fake();
        LatencyModel m = model(dir.resolve("t.json"), fake);
        NetworkSpec net = net();
        LatencyModel.Prediction p = m.predict(net, ProgressListener.NONE);
        assertEquals(fakeMs(net), p.totalMs(), 1e-12);
        assertEquals(FIXED, p.fixedMs(), 1e-12);
        // piece b follows a's 6 channels: its share carries the penalty, which b alone never shows
        assertEquals(CostReport.of(LatencyModel.pieces(net).get(1).spec()).totalMacs() * 1e-6 + 0.002 + PENALTY,
                p.parts().get(1).ms(), 1e-12);
        double alone = FIXED + LatencyModel.pieces(net).stream().mapToDouble(x -> fakeMs(x.spec()) - FIXED).sum();
        assertEquals(2 * PENALTY, p.totalMs() - alone, 1e-12, "pieces timed out of context would miss the penalties "
                + "after a's 6 and b's 12 channels");
        assertEquals(4, p.measured(), "the fixed cost with the first piece, and three pieces after their neighbour");
    }

    @Test
    void tablesAreFilledOnceAndReusedByLaterRuns(@TempDir Path dir) {
        Path file = dir.resolve("t.json");
        Fake fake = new Fake();
        model(file, fake).predict(net(), ProgressListener.NONE);
        int calls = fake.calls.get();
        assertTrue(Files.isRegularFile(file));
        LatencyModel again = model(file, fake);
        LatencyModel.Prediction p = again.predict(net(), ProgressListener.NONE);
        assertEquals(0, p.measured());
        assertEquals(calls, fake.calls.get(), "nothing measured twice");
        assertEquals(fakeMs(net()), p.totalMs(), 1e-12);
        // a narrower network shares its first pieces: only what changed is measured
        NetworkSpec narrower = net(8);
        LatencyModel.Prediction n = again.predict(narrower, ProgressListener.NONE);
        assertEquals(2, n.measured(), "c after b, and the classifier after c");
        assertEquals(fakeMs(narrower), n.totalMs(), 1e-12);
    }

    @Test
    void aTableOfAnotherMachineIsRefusedInOneLineAndANewOneMeasured(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("shared.json");
        Fake fake = new Fake();
        new LatencyModel(LatencyTable.open(file, new LatencyTable.Machine("other CPU (AVX-512)", "fake runtime 1.0",
                2), dir, System.err), fake).predict(net(), ProgressListener.NONE);
        String before = Files.readString(file);
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        for (LatencyTable.Machine m : List.of(HERE, new LatencyTable.Machine("other CPU (AVX-512)", "fake runtime 1.1",
                2), new LatencyTable.Machine("other CPU (AVX-512)", "fake runtime 1.0", 1))) {
            said.reset();
            LatencyTable t = LatencyTable.open(file, m, dir.resolve("cache"), new PrintStream(said, true,
                    StandardCharsets.UTF_8));
            String line = said.toString(StandardCharsets.UTF_8);
            assertEquals(1, line.lines().count(), line);
            assertTrue(line.startsWith(file + ": a latency table measured on other CPU (AVX-512), fake runtime 1.0, "
                    + "2 threads, not on this machine"), line);
            assertTrue(line.contains("refused, measuring a new one in " + dir.resolve("cache").resolve(m.fileName())),
                    line);
            assertEquals(0, t.size());
            assertEquals(dir.resolve("cache").resolve(m.fileName()), t.file());
        }
        assertEquals(before, Files.readString(file), "the other machine's table is left as it was");
    }

    @Test
    void aTruncatedOrHandEditedTableIsOneLineNamingTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("t.json");
        model(file, new Fake()).predict(net(), ProgressListener.NONE);
        String text = Files.readString(file);
        Files.writeString(file, text.substring(0, text.length() / 2));
        DataException cut = assertThrows(DataException.class, () -> model(file, new Fake()));
        assertTrue(cut.getMessage().startsWith(file + ": not a complete latency table"), cut.getMessage());
        assertEquals(1, cut.getMessage().lines().count());
        // one time changed by hand
        int at = text.indexOf("\"ms\": ") + 6;
        Files.writeString(file, text.substring(0, at) + "0.0001" + text.substring(text.indexOf(',', at)));
        DataException edited = assertThrows(DataException.class, () -> model(file, new Fake()));
        assertTrue(edited.getMessage().startsWith(file + ": its entries do not match its checksum"),
                edited.getMessage());
        Files.writeString(file, text);
        assertEquals(0, model(file, new Fake()).predict(net(), ProgressListener.NONE).measured());
    }

    @Test
    void aMeasurementOnABusyMachineIsRepeated(@TempDir Path dir) {
        Fake fake = new Fake();
        LatencyModel m = model(dir.resolve("t.json"), fake);
        m.pauseMs = 1;
        NetworkSpec one = new NetworkSpec("one", new Shape(1, 8, 8), SequentialSpec.of("", ConvSpec.of("a", 1, 8, 3,
                1, 1, true)));
        m.predict(one, ProgressListener.NONE);
        assertEquals(2, fake.calls.get(), "the fixed cost with the piece, then the probe alone: its first time");
        // the machine slow for one call of networks and its probe: measured again
        fake.calls.set(0);
        fake.slowFactor = 1.5;
        fake.slowCalls = 2;
        LatencyModel.Prediction p = m.predict(net(), ProgressListener.NONE);
        assertEquals(2 * 4 + 2, fake.calls.get(), "four entries, each with its probe, and the slow one again");
        assertEquals(fakeMs(net()), p.totalMs(), 1e-12, "the times of the calm call");
        // slow for longer than the tries: the last try is kept, and said
        fake.calls.set(0);
        fake.slowCalls = 100;
        List<String> said = new ArrayList<>();
        LatencyModel busy = new LatencyModel(LatencyTable.open(dir.resolve("t.json"), HERE, dir, System.err), fake);
        busy.pauseMs = 1;
        NetworkSpec two = new NetworkSpec("two", new Shape(1, 8, 8), SequentialSpec.of("", ConvSpec.of("a", 1, 16, 3,
                1, 1, true)));
        LatencyModel.Prediction q = busy.predict(two, ProgressListener.messages(said::add));
        assertEquals(2 * LatencyModel.TRIES, fake.calls.get());
        assertEquals(fakeMs(two) * 1.5, q.totalMs(), 1e-9, "as measured on the busy machine");
        assertEquals(1, said.size(), String.join("\n", said));
        assertTrue(said.get(0).startsWith("latency model: the probe ran 1.50x slower than when the table began, 4 "
                + "tries running"), said.get(0));
    }
}

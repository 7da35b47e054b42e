package org.waecompress.experiments.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.waecompress.spi.train.ProgressListener;

/** The alternating protocol: order of calls, warm-up, the idle gap and what is timed. */
class LatencyTest {

    /**
     * Records its calls; each run advances a fake clock by {@code ms}, so what the protocol times is known
     * exactly whatever the machine's load (no test asserts a wall-clock time). The wall-clock wait between
     * prepare and run is recorded too, for the idle gap, which only has a lower bound.
     */
    static final class Fake implements Timed {
        final String name;
        final double ms;
        final List<String> log;
        final long[] clock;
        long preparedAt;
        final List<Long> waits = new ArrayList<>();

        Fake(String name, double ms, List<String> log, long[] clock) {
            this.name = name;
            this.ms = ms;
            this.log = log;
            this.clock = clock;
        }

        @Override
        public void prepare(int batch, Random random) {
            log.add(name + ".prepare(" + batch + ")");
            preparedAt = System.nanoTime();
        }

        @Override
        public void run() {
            waits.add(System.nanoTime() - preparedAt);
            log.add(name + ".run");
            clock[0] += (long) (ms * 1e6);
        }

        @Override
        public void release() {
            log.add(name + ".release");
        }

        @Override
        public void close() {
            log.add(name + ".close");
        }
    }

    @Test
    void networksAlternateAndOnlyTheRunIsTimed() {
        List<String> log = new ArrayList<>();
        long[] clock = {0};
        Fake a = new Fake("a", 4, log, clock);
        Fake b = new Fake("b", 1, log, clock);
        List<Latency.Stats> s = Latency.alternate(List.of(a, b), 2, 1, 5, 0, ProgressListener.NONE, () -> clock[0]);
        assertEquals(List.of("a.prepare(2)", "a.run", "a.release", "b.prepare(2)", "b.run", "b.release"),
                log.subList(0, 6));
        assertEquals(6 * 6, log.size(), "1 warm-up + 5 timed rounds, 3 calls per network, nothing closed");
        assertEquals(5, s.get(0).runs());
        assertEquals(2, s.get(0).batch());
        assertEquals(4.0, s.get(0).medianMs(), 1e-9, s.toString());
        assertEquals(1.0, s.get(1).medianMs(), 1e-9, s.toString());
        assertEquals(2 * 1000.0 / s.get(1).medianMs(), s.get(1).imagesPerSecond(), 1e-9);
    }

    @Test
    void theGapIdlesBeforeEveryRunButIsNotTimed() {
        List<String> log = new ArrayList<>();
        long[] clock = {0};
        Fake a = new Fake("a", 1, log, clock);
        // when each clock reading happens, in wall-clock time after the prepare before it: only lower bounds,
        // which a sleep guarantees, so the test holds on a loaded machine
        List<Long> readings = new ArrayList<>();
        List<Latency.Stats> s = Latency.alternate(List.of(a), 1, 2, 3, 30, ProgressListener.NONE, () -> {
            readings.add(System.nanoTime() - a.preparedAt);
            return clock[0];
        });
        assertEquals(5, a.waits.size());
        for (long w : a.waits) {
            assertTrue(w >= 30_000_000L, w + " ns between prepare and run");
        }
        assertEquals(10, readings.size());
        for (long w : readings) {
            assertTrue(w >= 30_000_000L, "the clock is read after the idle gap, not before it: " + w + " ns");
        }
        assertEquals(1.0, s.get(0).medianMs(), 1e-9, "the idle time is not part of the timing: " + s);
    }

    @Test
    void aWarmUpOnlyReturnsNoStatistics() {
        List<String> log = new ArrayList<>();
        assertEquals(List.of(), Latency.alternate(List.of(new Fake("a", 0, log, new long[1])), 1, 2, 0, 0,
                ProgressListener.NONE));
        assertEquals(6, log.size());
    }

    @Test
    void aDeviceIsSynchronisedBeforeEachReadingOfTheClock() {
        List<String> events = new ArrayList<>();
        long[] now = {0};
        // a device that finishes its queued work only when synchronised: 3 ms queued by run, 0 ms of host time
        long[] queued = {0};
        Timed gpu = new Timed() {
            @Override
            public void prepare(int batch, Random random) {
                events.add("prepare");
            }

            @Override
            public void run() {
                events.add("run");
                queued[0] += 3_000_000;
            }

            @Override
            public void sync() {
                events.add("sync");
                now[0] += queued[0];
                queued[0] = 0;
            }

            @Override
            public void release() {
                events.add("release");
            }

            @Override
            public void close() {
            }
        };
        List<Latency.Stats> stats = Latency.alternate(List.of(gpu), 1, 1, 2, 0, ProgressListener.NONE, () -> {
            events.add("clock");
            return now[0];
        });
        List<String> oneRun = List.of("prepare", "sync", "clock", "run", "sync", "clock", "release");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            expected.addAll(oneRun);
        }
        assertEquals(expected, events);
        // the device's 3 ms are counted in the run that queued them, not before or after it
        assertEquals(3.0, stats.get(0).medianMs(), 1e-12);
        assertEquals(3.0, stats.get(0).p90Ms(), 1e-12);
    }

    /**
     * A known answer through the clock the protocol reads: network a advances a fake clock by 4 ms a run,
     * network b by 1 ms, so their medians are exactly 4 and 1 and b is 4 times faster than a (the
     * baseline's median over the network's, never the inverse).
     */
    @Test
    void theSpeedUpIsTheBaselinesMedianOverTheNetworksOnAFakeClock() {
        long[] now = {0};
        Timed a = new Stepping(now, 4_000_000L);
        Timed b = new Stepping(now, 1_000_000L);
        List<Latency.Stats> s = Latency.alternate(List.of(a, b), 1, 0, 7, 0, ProgressListener.NONE, () -> now[0]);
        assertEquals(4.0, s.get(0).medianMs(), 0);
        assertEquals(1.0, s.get(1).medianMs(), 0);
        assertEquals(4.0, s.get(1).speedupOver(s.get(0)), 0);
        assertEquals(0.25, s.get(0).speedupOver(s.get(1)), 0);
        assertEquals(1.0, s.get(0).speedupOver(s.get(0)), 0);
    }

    @Test
    void eachForksSpeedUpIsTheBaselinesMedianOverTheNetworksInThatFork() {
        Latency.Stats base1 = new Latency.Stats(1, 6.0, 7.0, 10);
        Latency.Stats net1 = new Latency.Stats(1, 2.0, 2.5, 10);
        Latency.Stats base2 = new Latency.Stats(1, 9.0, 9.5, 10);
        Latency.Stats net2 = new Latency.Stats(1, 4.5, 5.0, 10);
        assertEquals(List.of(3.0, 2.0), ForkedLatency.speedups(List.of(List.of(base1, net1), List.of(base2, net2))));
        assertEquals(List.of(), ForkedLatency.speedups(List.of(List.of(base1), List.of(base2))));
        // the median over forks of the forks' own ratios, not the ratio of the medians (7.5 / 3.25 = 2.31)
        assertEquals(2.5, new ForkedLatency.Result(List.of(), List.of(), List.of(3.0, 2.0)).medianSpeedup(), 0);
    }

    /** A network whose every run advances a fake clock by a fixed step. */
    static final class Stepping implements Timed {
        private final long[] clock;
        private final long step;

        Stepping(long[] clock, long step) {
            this.clock = clock;
            this.step = step;
        }

        @Override
        public void prepare(int batch, Random random) {}

        @Override
        public void run() {
            clock[0] += step;
        }

        @Override
        public void release() {}

        @Override
        public void close() {}
    }
}

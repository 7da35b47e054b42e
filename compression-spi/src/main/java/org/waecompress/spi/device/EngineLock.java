package org.waecompress.spi.device;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The hold on what the engine keeps once per JVM: its gradient collector (DJL allows one at a time) and its
 * random generator (seeded for initialisation and dropout). Every training call holds it for its whole
 * length, random initialisation ({@code Network.random}) while it seeds and draws, and any other code that
 * opens a gradient collector (Taylor's criterion) while it does. Several rows can compute in one JVM at once
 * (a Spark executor's task threads); without the hold, one row's draws would land between another's seed and
 * its use, and the rows would differ from a run that computes them one after another.
 */
public final class EngineLock {

    private static final ReentrantLock LOCK = new ReentrantLock();

    private EngineLock() {}

    /** A hold, released by {@link #close()}. */
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Waits until no other thread holds the engine and holds it. Reentrant: code that holds it may call code
     * that takes it again.
     *
     * @return the hold, to close
     */
    public static Held hold() {
        LOCK.lock();
        return LOCK::unlock;
    }
}

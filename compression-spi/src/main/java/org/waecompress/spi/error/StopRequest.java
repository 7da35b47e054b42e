package org.waecompress.spi.error;

/**
 * A request to stop the work under way at its next safe point, made when the process is asked to end
 * (SIGTERM, SIGINT: the front end's shutdown hook calls {@link #request}). The long loops (training
 * steps, evaluation and calibration batches, latency runs) call {@link #check} between two calls into
 * native code, so the process never exits while the engine's kernels run (libtorch's and ONNX Runtime's
 * static destructors would free what those kernels use: a crash in native code). Once requested, a
 * request stays for the life of the process.
 */
public final class StopRequest {

    /** How long a front end's signal handler waits for the work to reach a safe point before the JVM exits. */
    public static final int WAIT_SECONDS = 60;

    private static volatile String reason;

    private StopRequest() {}

    /**
     * Asks the work under way to stop at its next safe point.
     *
     * @param why what asked, for the message (such as "SIGTERM")
     */
    public static void request(String why) {
        reason = why;
    }

    /**
     * Returns whether a stop was requested.
     *
     * @return true once {@link #request} was called
     */
    public static boolean requested() {
        return reason != null;
    }

    /**
     * Stops here if a stop was requested.
     *
     * @param where what the work was doing, for the message
     * @throws Stopped if a stop was requested
     */
    public static void check(String where) {
        String why = reason;
        if (why != null) {
            throw new Stopped("stopped by " + why + " during " + where);
        }
    }

    /** Thrown at a safe point after a stop was requested. */
    public static final class Stopped extends CompressionException {

        private static final long serialVersionUID = 1L;

        /**
         * Creates the exception.
         *
         * @param message what was stopped
         */
        public Stopped(String message) {
            super(message);
        }
    }

    /** The exit code a handled signal asks for (128 + its number), or 0. */
    private static volatile int signalled;

    /** Whether the JVM's shutdown has begun (then {@code System.exit} would wait for ever). */
    private static volatile boolean shuttingDown;

    /**
     * Runs a process's work so that SIGTERM and SIGINT stop it at its next safe point before the JVM
     * begins to exit. The signals are handled here instead of by the JVM's default (which starts the
     * shutdown at once): shutdown hooks run concurrently with a thread still in native code, and ONNX
     * Runtime's own hook releases its environment and thread pool, which crashed a session running on it
     * (SIGSEGV in {@code OrtSession.run}). A second signal, or {@link #WAIT_SECONDS} without a safe
     * point, ends the process anyway. A SIGINT the process inherited as ignored (started in the
     * background) stays ignored. Other ways to end the JVM (SIGHUP, {@code System.exit}) still request a
     * stop and wait from a shutdown hook. For a {@code main} method, with {@link #exit}.
     *
     * @param work the work, returning the exit code
     * @return its exit code
     */
    @SuppressWarnings("sunapi")
    public static int guarded(java.util.function.IntSupplier work) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal signal = new sun.misc.Signal(name);
                sun.misc.SignalHandler old = sun.misc.Signal.handle(signal, s -> {
                    int code = 128 + s.getNumber();
                    if (requested()) {
                        // asked twice: end now
                        Runtime.getRuntime().halt(code);
                    }
                    signalled = code;
                    request("SIG" + s.getName());
                    Thread watchdog = new Thread(() -> {
                        try {
                            Thread.sleep(WAIT_SECONDS * 1000L);
                        } catch (InterruptedException e) {
                            return;
                        }
                        System.exit(code);
                    }, "stop-watchdog");
                    watchdog.setDaemon(true);
                    watchdog.start();
                });
                if (old == sun.misc.SignalHandler.SIG_IGN) {
                    sun.misc.Signal.handle(signal, sun.misc.SignalHandler.SIG_IGN);
                }
            } catch (IllegalArgumentException unavailable) {
                // the platform has no such signal, or the JVM reserves it: the default stays
            }
        }
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            shuttingDown = true;
            request("the JVM's shutdown");
            try {
                done.await(WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "stop-at-safe-point"));
        try {
            return work.getAsInt();
        } finally {
            done.countDown();
        }
    }

    /**
     * Ends the JVM: with 128 + the signal's number when a signal stopped the work (143 for SIGTERM, 130
     * for SIGINT), else with the given code. Nothing is in native code by now, so the shutdown hooks
     * (ONNX Runtime's among them) run safely.
     *
     * @param code the work's exit code
     */
    public static void exit(int code) {
        if (!shuttingDown) {
            System.exit(signalled != 0 ? signalled : code);
        }
    }

    /** Clears a request: for tests that request one in-process. */
    static void clear() {
        reason = null;
    }
}

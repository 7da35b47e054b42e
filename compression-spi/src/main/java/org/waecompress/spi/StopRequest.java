package org.waecompress.spi;

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
     * @param why what asked, for the message (such as "a signal (SIGTERM or SIGINT)")
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

    /** Clears a request: for tests that request one in-process. */
    static void clear() {
        reason = null;
    }
}

package org.waecompress.experiments.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the command line in-process and captures what it prints (shared by the tests module). */
public final class CliRun {

    /**
     * What one command returned and printed.
     *
     * @param code the exit code
     * @param out standard output
     * @param err standard error
     */
    public record Result(int code, String out, String err) {}

    private CliRun() {}

    /**
     * Runs {@code waec} with arguments, capturing standard output and error.
     *
     * @param args the arguments
     * @return the exit code and the printed text
     */
    public static Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.execute(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}

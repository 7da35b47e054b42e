package org.waecompress.experiments.cli;

import com.google.inject.CreationException;
import com.google.inject.ProvisionException;
import java.io.PrintWriter;
import org.waecompress.experiments.config.BadInputException;
import org.waecompress.experiments.config.Presets;
import org.waecompress.experiments.report.SettingsTable;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.error.DataException;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.error.StopRequest;
import org.waecompress.spi.error.UnknownStrategyException;
import org.waecompress.spi.plugin.PluginClashException;
import org.waecompress.spi.spec.SpecException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code waec} command line. With no arguments it runs the main job ({@code run}).
 *
 * <p>Exit codes: 0 on success, 2 on bad input (one line on standard error, no stack trace unless
 * {@code --verbose}), 1 on a failure inside a run.
 */
@Command(name = "waec", mixinStandardHelpOptions = true, version = "waec 0.1.0",
        description = "Accelerate CNN classifiers and compare acceleration methods (WAE, ThiNet, Taylor, low-rank).",
        subcommands = {RunCommand.class, StrategiesCommand.class, SettingsCommand.class, InspectCommand.class,
            ExportCommand.class,
            SensitivityCommand.class,
            LatencyCommand.class, TableCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Option(names = "--verbose", description = "Print stack traces of errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean verbose;

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /**
     * Makes DJL run offline with telemetry off; called before the engine loads.
     */
    static void configureDjl() {
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("OPT_OUT_TRACKING", "true");
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        // JNA finds a CUDA runtime without a driver on CPU machines; the warning is noise.
        setIfAbsent("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error");
        setIfAbsent("org.slf4j.simpleLogger.log.ai.djl.pytorch.engine.PtEngine", "warn");
        // Spark (run.executor=spark) logs its start-up at warn: host name resolution, native Hadoop libraries
        setIfAbsent("org.slf4j.simpleLogger.log.org.apache.spark", "error");
        setIfAbsent("org.slf4j.simpleLogger.log.org.apache.hadoop", "error");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /**
     * Runs the command line and returns the exit code.
     *
     * @param args the arguments
     * @return 0, 1 or 2
     */
    public static int execute(String... args) {
        configureDjl();
        String[] a = args.length == 0 ? new String[] {"run"} : args;
        CommandLine cmd = new CommandLine(new Main());
        // waec run --help lists the harness settings from their declarations (strategy keys: waec strategies)
        String presets;
        try {
            presets = String.join(", ", Presets.names());
        } catch (IllegalStateException e) {
            presets = "(cannot list them: " + e.getMessage() + ")"; // the help must not stop other commands
        }
        cmd.getSubcommands().get("run").getCommandSpec().usageMessage().footer("%nPresets: " + presets
                + "%n%nHarness settings (--set KEY=VALUE; strategy.ID.* keys: waec strategies):%n"
                + SettingsTable.harnessText().replace("%", "%%"));
        cmd.setExecutionExceptionHandler((thrown, line, parsed) -> {
            Throwable ex = unwrapInjection(thrown);
            if (ex instanceof StopRequest.Stopped) {
                line.getErr().println("waec: " + ex.getMessage() + "; rows already stored and the checkpoints "
                        + "are kept (waec run --resume continues a run)");
                line.getErr().flush();
                return STOPPED;
            }
            boolean verbose = java.util.Arrays.asList(a).contains("--verbose");
            PrintWriter err = line.getErr();
            int code = isBadInput(ex) ? 2 : 1;
            err.println("waec: " + (code == 2 ? "" : "failed: ") + oneLine(ex));
            if (verbose) {
                ex.printStackTrace(err);
            }
            err.flush();
            return code;
        });
        cmd.setParameterExceptionHandler((ex, line) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("waec: " + ex.getMessage().lines().findFirst().orElse("") + " (see 'waec "
                    + String.join(" ", ex.getCommandLine().getCommandSpec().qualifiedName(" ").replaceFirst("^waec ?",
                            ""))
                            .trim() + " --help')");
            err.flush();
            return 2;
        });
        return cmd.execute(a);
    }

    /**
     * The error a Guice injection failed on: the registry and the strategies are built by the injector, which
     * wraps what their constructors throw (a clashing plugin, a bad variant definition) in a
     * {@code ProvisionException} or {@code CreationException} whose first line says nothing of it.
     *
     * @param ex what the command threw
     * @return its injection-free cause, or {@code ex} itself
     */
    static Throwable unwrapInjection(Throwable ex) {
        Throwable t = ex;
        while ((t instanceof ProvisionException || t instanceof CreationException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static boolean isBadInput(Throwable ex) {
        return ex instanceof InvalidSettingException || ex instanceof DataException || ex instanceof SpecException
                || ex instanceof UnknownStrategyException || ex instanceof BadInputException
                || ex instanceof PluginClashException;
    }

    static String oneLine(Throwable ex) {
        String m = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        if (!(ex instanceof CompressionException) && ex.getMessage() != null) {
            m = ex.getClass().getSimpleName() + ": " + m;
        }
        return m.lines().findFirst().orElse(m);
    }

    /**
     * Entry point.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        // SIGTERM or SIGINT: the work stops at its next safe point (a training step, a batch, a latency run)
        // before the JVM begins to exit, so no engine's native code runs while the process ends
        StopRequest.exit(StopRequest.guarded(() -> execute(args)));
    }

    /** The exit code of a command stopped by a signal: 128 + SIGTERM's number, as the JVM gives. */
    static final int STOPPED = 143;

}

package org.waecompress.tests;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.waecompress.experiments.cli.Main;

/** Starts {@code waec run} in a JVM of its own, as a user's shell would, for tests that kill or signal it. */
final class RunProcess {

    private RunProcess() {}

    /**
     * Starts a run.
     *
     * @param workDir the process's working folder (where a crash would write its hs_err file)
     * @param out the run folder
     * @param plan the {@code --set} pairs
     * @param resume whether to pass {@code --resume}
     * @param log where standard output and error go
     * @return the process
     * @throws IOException if it cannot start
     */
    static Process start(Path workDir, Path out, List<String> plan, boolean resume, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", "--out", out.toString()));
        plan.forEach(p -> {
            cmd.add("--set");
            cmd.add(p);
        });
        if (resume) {
            cmd.add("--resume");
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(workDir.toFile())
                .redirectOutput(log.toFile());
        pb.environment().put("OPT_OUT_TRACKING", "true");
        return pb.start();
    }
}

package org.waecompress.spark;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.waecompress.experiments.harness.ResultStore;
import org.waecompress.experiments.harness.RowWorker;
import org.waecompress.experiments.harness.RunFolder;
import org.waecompress.experiments.report.ConsoleProgress;
import org.waecompress.experiments.result.ResultRow;
import org.waecompress.spi.error.CompressionException;

/**
 * One Spark task: computes one row in the executor's JVM ({@link RowWorker#compute}, which reads the plan's
 * backbone and writes the row's network in the shared run folder), records the computed row as
 * {@code computed/ROW.json} in that folder (so a driver that dies before storing it finds it on
 * {@code --resume}) and returns it as JSON.
 */
final class RowTask implements Function<String, String>, Serializable {

    private static final long serialVersionUID = 1L;

    /** A test hook: the first attempt of this row's task fails after computing, as a killed task would. */
    static final String FAIL_ONCE = "waectest.spark.failOnce";

    private final HashMap<String, String> plan;
    private final String runDir;
    private final String failOnce;

    RowTask(Map<String, String> plan, Path runDir, String failOnce) {
        this.plan = new HashMap<>(plan);
        this.runDir = runDir.toString();
        this.failOnce = failOnce;
    }

    @Override
    public String call(String id) {
        ResultRow r = RowWorker.compute(plan, Path.of(runDir), id, ConsoleProgress.stderr());
        TaskContext task = TaskContext.get();
        if (id.equals(failOnce) && task != null && task.attemptNumber() == 0) {
            throw new CompressionException("row " + id + ": injected failure of the task's first attempt ("
                    + FAIL_ONCE + ")");
        }
        if (r == null) {
            return "";
        }
        String json = ResultStore.toJson(r);
        RunFolder.write(new RunFolder(Path.of(runDir)).computed(id), json + "\n");
        return json;
    }
}

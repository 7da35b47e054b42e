package org.waecompress.experiments.harness;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import org.waecompress.experiments.config.ExperimentSettings;
import org.waecompress.experiments.result.ResultRow;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.train.ProgressListener;

/**
 * Where a plan's strategy rows are computed ({@code run.executor}), found with {@link java.util.ServiceLoader}
 * like strategy plugins: {@code local} is the runner itself (every row in this process, today's order);
 * another executor, such as the Spark module's {@code spark}, runs each pending row elsewhere through
 * {@link RowWorker#compute} and hands back the row. The runner, on the driver, then times every handed-back
 * row on this one machine and stores it once, by id, so a retried task or a resumed run never duplicates or
 * loses a row.
 */
public interface RowExecutor {

    /**
     * Returns the value of {@code run.executor} that selects this executor.
     *
     * @return the id
     */
    String id();

    /**
     * Describes where the rows ran, for the table note.
     *
     * @param s the run's settings
     * @return e.g. {@code Spark 3.5.9 tasks (master local[2])}
     */
    String describe(ExperimentSettings s);

    /**
     * Computes rows. Each row is computed by {@link RowWorker#compute} with the job's plan and run folder (a
     * folder every worker can reach), which trains, evaluates and saves the row's network under
     * {@code networks/}; the row is then handed to {@code done} on the calling thread, possibly more than once
     * (a retried task), in any order.
     *
     * @param job the rows and what computing them needs
     * @param done receives each computed row (not yet timed)
     */
    void run(Job job, Consumer<ResultRow> done);

    /**
     * The rows an executor computes.
     *
     * @param plan the run's whole configuration, key to value (as {@code provenance.json} records it)
     * @param runDir the run folder, holding the trained backbone
     * @param rows the ids of the rows to compute
     * @param settings the run's settings
     * @param log where progress goes
     */
    record Job(Map<String, String> plan, Path runDir, List<String> rows, ExperimentSettings settings,
            ProgressListener log) {}

    /**
     * Returns the executor {@code run.executor} selects: null for {@code local} (the runner's own loop), else
     * the {@link RowExecutor} with that id on the class path.
     *
     * @param s the settings
     * @return the executor, or null
     * @throws InvalidSettingException naming {@code run.executor} when none has that id
     */
    static RowExecutor select(ExperimentSettings s) {
        if (s.executor().equals("local")) {
            return null;
        }
        List<String> found = new ArrayList<>(List.of("local"));
        for (RowExecutor e : ServiceLoader.load(RowExecutor.class)) {
            if (e.id().equals(s.executor())) {
                return e;
            }
            found.add(e.id());
        }
        throw new InvalidSettingException("run.executor", s.executor(), "no such executor on the class path (found: "
                + String.join(", ", found) + ")" + (s.executor().equals("spark") ? "; the Spark executor is the "
                + "experiments/spark module: run through ./waec, which adds it for run.executor=spark" : ""));
    }
}

package org.waecompress.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.waecompress.experiments.config.ExperimentSettings;
import org.waecompress.experiments.harness.ResultStore;
import org.waecompress.experiments.harness.RowExecutor;
import org.waecompress.experiments.harness.RunFolder;
import org.waecompress.experiments.result.ResultRow;
import org.waecompress.spi.error.CompressionException;

/**
 * Computes a plan's pending rows as Spark tasks, one task per row, on {@code spark.master}: {@code local[N]}
 * (N threads of this JVM; {@code local[N,F]} lets a failed task run F times), a standalone cluster
 * ({@code spark://HOST:PORT}) or Kubernetes ({@code k8s://https://HOST:PORT}). Every executor must read and
 * write the run folder at the same path (a shared file system) and have this project's jars (docs/scale.md).
 * The rows come back to the driver, which times and stores each one once.
 */
public final class SparkRowExecutor implements RowExecutor {

    @Override
    public String id() {
        return "spark";
    }

    @Override
    public String describe(ExperimentSettings s) {
        return "Spark tasks (master " + s.sparkMaster() + ")";
    }

    @Override
    public void run(Job job, Consumer<ResultRow> done) {
        RunFolder folder = new RunFolder(job.runDir());
        List<String> toRun = new ArrayList<>();
        for (String id : job.rows()) {
            // computed by an earlier driver that died before storing it: its network is in the folder
            ResultRow earlier = computedEarlier(folder, id);
            if (earlier != null) {
                job.log().message(id + ": computed by an earlier run's task (" + folder.computed(id) + ")");
                done.accept(earlier);
                forget(folder, id);
            } else {
                toRun.add(id);
            }
        }
        if (toRun.isEmpty()) {
            return;
        }
        ExperimentSettings s = job.settings();
        SparkConf conf = new SparkConf().setMaster(s.sparkMaster()).setAppName("waec " + s.name())
                .set("spark.ui.enabled", "false");
        if (s.sparkMaster().startsWith("local")) {
            conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        }
        job.log().message(String.format("spark: %d row%s as tasks on %s", toRun.size(), toRun.size() == 1 ? ""
                : "s", s.sparkMaster()));
        List<String> rows;
        JavaSparkContext context;
        try {
            context = new JavaSparkContext(conf);
        } catch (RuntimeException e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new CompressionException("spark.master = " + s.sparkMaster() + ": Spark could "
                    + "not start its context (" + m.lines().findFirst().orElse(m) + "); check the master, or use "
                    + "local[N]; the trained backbone is kept, --resume continues", e);
        }
        try (JavaSparkContext sc = context) {
            sc.setLogLevel("WARN");
            rows = sc.parallelize(toRun, toRun.size())
                    .map(new RowTask(job.plan(), job.runDir(), System.getProperty(RowTask.FAIL_ONCE)))
                    .collect();
        }
        for (String json : rows) {
            if (!json.isEmpty()) {
                ResultRow r = ResultStore.fromJson(json);
                done.accept(r);
                forget(folder, r.id());
            }
        }
    }

    private static ResultRow computedEarlier(RunFolder folder, String id) {
        Path f = folder.computed(id);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        try {
            ResultRow r = ResultStore.fromJson(Files.readString(f).trim());
            boolean networkThere = r.failed() || Files.isRegularFile(folder.networks().resolve(id + ".spec.json"));
            return networkThere ? r : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void forget(RunFolder folder, String id) {
        try {
            Files.deleteIfExists(folder.computed(id));
        } catch (IOException e) {
            // stored already; a later resume skips the row by its id
        }
    }
}

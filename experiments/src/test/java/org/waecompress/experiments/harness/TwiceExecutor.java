package org.waecompress.experiments.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.waecompress.experiments.config.ExperimentSettings;
import org.waecompress.experiments.result.ResultRow;

/**
 * A test executor ({@code run.executor=twice}) that computes each row with {@link RowWorker#compute}, as a
 * remote task does, and hands every row back twice and in reverse order, as retried tasks may.
 */
public final class TwiceExecutor implements RowExecutor {

    @Override
    public String id() {
        return "twice";
    }

    @Override
    public String describe(ExperimentSettings s) {
        return "test tasks";
    }

    @Override
    public void run(Job job, Consumer<ResultRow> done) {
        List<ResultRow> rows = new ArrayList<>();
        for (String id : job.rows()) {
            ResultRow r = RowWorker.compute(job.plan(), job.runDir(), id, job.log());
            if (r != null) {
                rows.add(r);
            }
        }
        for (int i = rows.size() - 1; i >= 0; i--) {
            done.accept(rows.get(i));
            done.accept(rows.get(i));
        }
    }
}

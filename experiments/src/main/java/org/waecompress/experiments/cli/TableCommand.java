package org.waecompress.experiments.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.waecompress.experiments.harness.ExperimentRunner;
import org.waecompress.experiments.harness.ResultRow;
import org.waecompress.experiments.harness.ResultStore;
import org.waecompress.experiments.report.TableFormat;
import org.waecompress.experiments.report.Tables;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code waec table}: regenerates a run's table from its results. */
@Command(name = "table", mixinStandardHelpOptions = true, description = "Print a run's table from its results.jsonl.")
final class TableCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A run folder.")
    Path dir;

    @Option(names = "--format", defaultValue = "md", description = "md, tex, csv or json (default ${DEFAULT-VALUE}).")
    String format;

    @Override
    public Integer call() {
        TableFormat f = TableFormat.parse(format);
        if (!Files.isRegularFile(dir.resolve("results.jsonl"))) {
            throw new BadInputException(dir + ": no results.jsonl; pass the folder of a run");
        }
        List<ResultRow> rows = new ResultStore(dir).read();
        Tables.Meta meta = ExperimentRunner.readMeta(dir);
        System.out.print(Tables.render(rows, meta, f));
        return 0;
    }
}

package org.waecompress.experiments.cli;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.waecompress.experiments.config.BadInputException;
import org.waecompress.experiments.harness.ResultStore;
import org.waecompress.experiments.harness.RunFolder;
import org.waecompress.experiments.report.RunReport;
import org.waecompress.experiments.report.RunSummary;
import org.waecompress.experiments.report.TableFormat;
import org.waecompress.experiments.report.Tables;
import org.waecompress.experiments.result.ResultRow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code waec table}: prints a run's table from its results; given several run folders (the same
 * plan with other seeds), one table with each method's mean error, spread and distance to the
 * backbone over the runs.
 */
@Command(name = "table", mixinStandardHelpOptions = true, description = {
    "Print a run's table from its results.jsonl.",
    "With several run folders (one plan, other seeds), print one table over them: per method the mean top-1 "
        + "error, its standard deviation and range, the mean distance to each run's backbone and the median "
        + "speed-up."})
final class TableCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "One or more run folders.")
    List<Path> dirs;

    @Option(names = "--format", defaultValue = "md", description = "md, tex, csv or json (default ${DEFAULT-VALUE}).")
    String format;

    @Override
    public Integer call() {
        TableFormat f = TableFormat.parse(format);
        for (Path dir : dirs) {
            if (!Files.isRegularFile(new RunFolder(dir).results().file())) {
                throw new BadInputException(dir + ": no results.jsonl; pass the folder of a run");
            }
        }
        if (dirs.size() == 1) {
            Path dir = dirs.get(0);
            ResultStore.Contents c = new ResultStore(dir).contents();
            if (c.rows().isEmpty()) {
                throw new BadInputException(new RunFolder(dir).results().file() + ": holds no row (the run stopped "
                        + "before its first row was stored); --resume the run, or pass another folder");
            }
            Tables.Meta meta = RunReport.readMeta(dir);
            List<String> notes = new ArrayList<>(meta.notes());
            notes.addAll(c.notes());
            System.out.print(Tables.render(c.rows(), new Tables.Meta(meta.title(), notes), f));
            return 0;
        }
        List<RunSummary.Run> runs = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Path dir : dirs) {
            ResultStore.Contents c = new ResultStore(dir).contents();
            c.notes().forEach(n -> notes.add(dir + ": " + n));
            c.rows().stream().filter(ResultRow::failed).forEach(r -> notes.add(dir + ": " + r.label()
                    + " failed (" + r.failure() + "); left out of the summary."));
            List<ResultRow> rows = c.rows().stream().filter(r -> !r.failed()).toList();
            if (rows.isEmpty()) {
                throw new BadInputException(new RunFolder(dir).results().file() + ": holds no finished row");
            }
            String seed = seed(dir);
            runs.add(new RunSummary.Run(dir + (seed == null ? "" : " (seed " + seed + ")"), rows));
        }
        List<RunSummary.Row> summary;
        try {
            summary = RunSummary.of(runs);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage());
        }
        Tables.Meta summaryMeta = RunSummary.meta(RunReport.readMeta(dirs.get(0)).title(),
                runs.stream().map(RunSummary.Run::name).toList());
        List<String> all = new ArrayList<>(summaryMeta.notes());
        all.addAll(notes);
        Tables.Meta meta = new Tables.Meta(summaryMeta.title(), all);
        System.out.print(RunSummary.render(summary, meta, f));
        return 0;
    }

    /** The run's seed from its provenance.json, or null. */
    private static String seed(Path dir) {
        try {
            JsonObject p = new Gson().fromJson(Files.readString(new RunFolder(dir).provenance()), JsonObject.class);
            return p.getAsJsonObject("config").getAsJsonObject("experiment.seed").get("value").getAsString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}

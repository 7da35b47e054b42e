package org.waecompress.experiments.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.waecompress.experiments.config.BadInputException;
import org.waecompress.experiments.config.ExperimentConfig;
import org.waecompress.experiments.config.ExperimentSettings;
import org.waecompress.experiments.guice.HarnessModule;
import org.waecompress.experiments.harness.Machine;
import org.waecompress.experiments.harness.PlanCheck;
import org.waecompress.experiments.harness.RunData;
import org.waecompress.experiments.harness.RunFolder;
import org.waecompress.experiments.harness.RunLock;
import org.waecompress.experiments.measure.Latency;
import org.waecompress.experiments.measure.LatencyModel;
import org.waecompress.experiments.onnx.OrtNetwork;
import org.waecompress.experiments.report.ConsoleProgress;
import org.waecompress.experiments.report.SensitivityReport;
import org.waecompress.experiments.report.TableFormat;
import org.waecompress.experiments.report.Tables;
import org.waecompress.experiments.sensitivity.BudgetSearch;
import org.waecompress.experiments.sensitivity.SensitivityAnalysis;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.LayerwiseStrategy;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.io.AtomicFiles;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.plugin.StrategyRegistry;
import org.waecompress.spi.plugin.StrategyVariant;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SpecJson;
import org.waecompress.spi.train.NetworkTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code waec sensitivity}: compresses each unit of a run's trained backbone alone at each ratio and
 * measures what it costs in accuracy; with a target in time or MACs, searches the per-unit ratios that meet it
 * with the least predicted loss and prints them as the strategy's {@code layerRatios} setting.
 */
@Command(name = "sensitivity", mixinStandardHelpOptions = true, description = {
    "Per-layer sensitivity of a run's trained backbone to a layerwise strategy (thinet, taylor-1, lowrank and "
        + "their variants): each unit alone compressed to each ratio, no fine-tuning, top-1 error on held-out "
        + "training images (drawn from the seed; never test images). Writes a table in four formats and a heat "
        + "map; with --target-speedup or --target-latency, the per-unit budget (by the latency model's time, or by "
        + "MACs)."})
final class SensitivityCommand implements Callable<Integer> {

    @Parameters(paramLabel = "RUN_DIR",
            description = "A run folder with a trained backbone (networks/backbone.spec.json).")
    Path runDir;

    @Option(names = "--strategy", required = true, description = "The strategy id: thinet, taylor-1, lowrank or a "
            + "variant of one.")
    String strategy;

    @Option(names = "--ratios", defaultValue = "0.9,0.7,0.5,0.3", split = ",",
            description = "Ratios in (0, 1) (default ${DEFAULT-VALUE}).")
    List<Double> ratios;

    @Option(names = "--images", defaultValue = "1000", description = "Held-out images, drawn from the training "
            + "split with the run's seed (default ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--target-speedup", paramLabel = "X", description = "Also search the per-unit ratios that make "
            + "the network X times faster (--by time: by the latency model's predicted time on ONNX Runtime; --by "
            + "macs: X times fewer MACs) with the least predicted loss.")
    Double targetSpeedup;

    @Option(names = "--target-latency", paramLabel = "MS", description = "Also search the per-unit ratios that bring "
            + "the predicted time on ONNX Runtime (batch 1, back to back) to MS milliseconds with the least predicted "
            + "loss.")
    Double targetLatency;

    @Option(names = "--by", description = "What --target-speedup counts: time (the latency model, then the budget's "
            + "network measured against the backbone; the default) or macs.")
    String by;

    @Option(names = "--latency-table", paramLabel = "FILE", description = "The latency model's table (default: one "
            + "per CPU, runtime version and thread count under $WAEC_CACHE/latency or ~/.cache/waec/latency).")
    Path latencyTable;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one of the run's keys (the "
            + "strategy's settings, data.testSize, ...).")
    List<String> sets = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default RUN_DIR/sensitivity-ID).")
    Path out;

    @Option(names = "--resume", description = "Continue the analysis in the output folder, measuring only missing "
            + "cells.")
    boolean resume;

    @Option(names = "--format", defaultValue = "md", description = "Printed table: md, tex, csv or json.")
    String format;

    @Override
    public Integer call() {
        TableFormat f = TableFormat.parse(format);
        // the options alone, before anything is read, locked or measured
        if (targetSpeedup != null && !(targetSpeedup > 1)) {
            throw new BadInputException("--target-speedup " + targetSpeedup + ": expected a speed-up above 1, such as "
                    + "2");
        }
        if (by != null && !by.equals("time") && !by.equals("macs")) {
            throw new BadInputException("--by " + by + ": expected time or macs");
        }
        if (targetSpeedup == null && targetLatency == null && (by != null || latencyTable != null)) {
            throw new BadInputException((by != null ? "--by" : "--latency-table") + " applies to a budget; give "
                    + "--target-speedup or --target-latency too");
        }
        if (targetLatency != null) {
            if (targetSpeedup != null) {
                throw new BadInputException("--target-latency and --target-speedup: give one target");
            }
            if (!(targetLatency > 0) || targetLatency.isInfinite()) {
                throw new BadInputException("--target-latency " + targetLatency + ": expected milliseconds above 0, "
                        + "such as 0.1");
            }
            if ("macs".equals(by)) {
                throw new BadInputException("--target-latency counts time; drop --by macs, or give --target-speedup "
                        + "with --by macs");
            }
        }
        boolean byTime = targetLatency != null || (targetSpeedup != null && !"macs".equals(by));
        for (Double r : ratios) {
            if (r == null || !(r > 0 && r < 1)) {
                throw new BadInputException("--ratios: " + r + " is not in (0, 1); each ratio is the fraction of a "
                        + "unit's channels or rank it keeps, such as 0.9,0.7,0.5,0.3");
            }
        }
        RunFolder run = new RunFolder(runDir);
        Path backboneFile = run.savedBackbone();
        Path provenance = run.provenance();
        if (!Files.isRegularFile(backboneFile) || !Files.isRegularFile(provenance)) {
            throw new BadInputException(runDir + ": not a run folder with a trained backbone (expected "
                    + "networks/backbone.spec.json and provenance.json); pass the folder of a finished run");
        }
        if (targetSpeedup != null && !byTime) {
            NetworkSpec saved;
            try {
                saved = SpecJson.fromJson(Files.readString(backboneFile), backboneFile.toString());
            } catch (IOException e) {
                throw new BadInputException(backboneFile + ": cannot read (" + e.getMessage() + ")");
            }
            long macs = CostReport.of(saved).totalMacs();
            if (macs / targetSpeedup < 1) {
                throw new BadInputException(String.format(Locale.ROOT, "--target-speedup %s: the backbone has %,d "
                        + "MACs, so it would leave less than one; give a MAC reduction such as 2 or 4", targetSpeedup,
                        macs));
            }
        }
        if (images < 1) {
            throw new BadInputException("--images " + images + ": expected at least 1 held-out image");
        }
        Map<String, String> pairs = runKeys(provenance);
        RunCommand.putSets(sets, pairs);
        StrategyRegistry registry = StrategyRegistry.injector(new HarnessModule(null))
                .getInstance(StrategyRegistry.class);
        ExperimentConfig cfg = ExperimentConfig.load(pairs, null, null, System.getProperties(), registry);
        ExperimentSettings s = ExperimentSettings.from(cfg);
        // on the run's devices, as the run itself computed
        Devices.use(PlanCheck.devices(s));
        CompressionStrategy st = cfg.strategies().get(strategy);
        if (!(unwrap(st) instanceof LayerwiseStrategy layerwise)) {
            throw new BadInputException("--strategy " + strategy + ": cannot be compressed one unit at a time; "
                    + "layerwise strategies: " + String.join(", ", registry.ids().stream()
                    .filter(id -> unwrap(registry.get(id)) instanceof LayerwiseStrategy).toList()));
        }
        Path dir = out != null ? out : runDir.resolve("sensitivity-" + strategy);
        if (!resume && Files.exists(dir.resolve(SensitivityAnalysis.FILE))) {
            throw new BadInputException(dir + " already holds a sensitivity analysis; pass --resume to continue it "
                    + "or --out for another folder");
        }
        ConsoleProgress log = ConsoleProgress.stderr();
        // the latency model's table before anything is measured: a bad table file is one line now, not after
        // the analysis
        int threads = s.latency().threads();
        LatencyModel model = byTime ? LatencyModel.open(latencyTable, threads,
                Machine.cpuModel()) : null;
        RunData data = RunData.load(s);
        // never test images: the budget chosen on them is scored on the test split
        int n = Math.min(images, data.train().size());
        ImageDataset heldOut = SensitivityAnalysis.heldOut(data.train(), n, s.seed());
        CompressionContext ctx = new CompressionContext(strategy, cfg.strategy(strategy), s.seed(), data.train(),
                new NetworkTrainer(log), s.finetune(), log, dir);
        CompressionContext baseCtx = ctx;
        for (CompressionStrategy v = st; v instanceof StrategyVariant sv; v = sv.base()) {
            baseCtx = sv.contextFor(baseCtx);
        }
        Instant started = Instant.now();
        RunCommand.checkWritable(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new BadInputException(dir + ": cannot create the output folder (" + e.getMessage() + ")");
        }
        try (RunLock lock = RunLock.acquire(dir, "waec sensitivity"); Network trained = Network.load(backboneFile)) {
            SensitivityAnalysis.Result result = SensitivityAnalysis.run(layerwise, baseCtx, trained, heldOut, ratios,
                    dir, log);
            List<SensitivityReport.Row> rows = SensitivityReport.rows(result.units(), result.ratios(), result.cells());
            Tables.Meta meta = SensitivityReport.meta(strategy, result.baseError(), result.baseMacs(), n,
                    trained.spec().name());
            for (TableFormat each : TableFormat.values()) {
                write(dir.resolve("sensitivity." + each.fileName().substring(each.fileName().indexOf('.') + 1)),
                        SensitivityReport.render(rows, result.ratios(), meta, each));
            }
            SensitivityReport.heatMap(rows, result.ratios(), meta.title(), dir.resolve("sensitivity.png"));
            System.out.print(SensitivityReport.render(rows, result.ratios(), meta, f));
            JsonObject p = new JsonObject();
            p.addProperty("command", "waec sensitivity " + runDir + " --strategy " + strategy + " --ratios "
                    + String.join(",", ratios.stream().map(String::valueOf).toList()) + " --images " + images
                    + (targetSpeedup == null ? "" : " --target-speedup " + targetSpeedup + " --by "
                    + (byTime ? "time" : "macs"))
                    + (targetLatency == null ? "" : " --target-latency " + targetLatency)
                    + String.join("", sets.stream().map(x -> " --set " + x).toList()));
            p.addProperty("runDir", runDir.toAbsolutePath().toString());
            p.addProperty("strategy", strategy);
            p.addProperty("seed", s.seed());
            p.addProperty("heldOutImages", n);
            p.addProperty("heldOut", heldOut.name());
            p.addProperty("data", data.description());
            p.addProperty("startedAt", started.toString());
            p.addProperty("finishedAt", Instant.now().toString());
            p.addProperty("gitCommit", Machine.gitCommit());
            p.addProperty("cpu", Machine.cpuModel());
            JsonObject settings = new JsonObject();
            cfg.strategy(strategy).getKeys().forEachRemaining(k -> settings.addProperty(k,
                    cfg.strategy(strategy).getString(k)));
            p.add("strategySettings", settings);
            if (targetSpeedup != null || targetLatency != null) {
                BudgetSearch.Budget b;
                List<String> notes = new ArrayList<>();
                String title;
                if (byTime) {
                    int t = threads;
                    BudgetSearch.Cost cost = BudgetSearch.time(model, log);
                    double base = cost.of(trained.spec());
                    double goal = targetLatency != null ? targetLatency : base / targetSpeedup;
                    b = BudgetSearch.search(st, ctx, trained.spec(), result, cost, goal, log);
                    NetworkSpec found = BudgetSearch.architecture(st, ctx, trained.spec(), result.units(),
                            b.ratios());
                    log.message("measuring the budget's network against the backbone (ONNX Runtime, random "
                            + "weights) ...");
                    List<Latency.Stats> m = LatencyModel.onnxRuntime(t, 4000).time(List.of(trained.spec(), found));
                    double measured = m.get(1).medianMs();
                    title = targetLatency != null ? String.format(Locale.ROOT, "Per-unit budget for %s at %s ms "
                            + "predicted", strategy, targetLatency) : String.format(Locale.ROOT, "Per-unit budget for "
                            + "%s at %.2fx less predicted time", strategy, targetSpeedup);
                    notes.add(String.format(Locale.ROOT, "Measured: %.3f ms against the backbone's %.3f ms, %.2fx "
                            + "(predicted %.3f against %.3f ms, %.2fx; prediction error %+.1f%%); %s, batch 1, back "
                            + "to back, alternated in each of 3 sessions of one process (the lowest session median; "
                            + "%d runs in all), random weights. Latency table "
                            + "%s (%d entries).", measured, m.get(0).medianMs(), m.get(1).speedupOver(m.get(0)),
                            b.cost(), base, base / b.cost(), 100 * (b.cost() - measured) / measured,
                            OrtNetwork.describe(t), m.get(1).runs(), model.table().file(), model.table().size()));
                    notes.add(String.format(Locale.ROOT, "MACs: %s (%.2fx fewer).", CostReport.human(b.macs()),
                            result.baseMacs() / (double) b.macs()));
                    p.addProperty("budgetPredictedMs", b.cost());
                    p.addProperty("budgetMeasuredMs", measured);
                    p.addProperty("backbonePredictedMs", base);
                    p.addProperty("backboneMeasuredMs", m.get(0).medianMs());
                    p.addProperty("measuredSpeedup", m.get(1).speedupOver(m.get(0)));
                    p.addProperty("latencyTable", model.table().file().toAbsolutePath().toString());
                    p.addProperty("latencyRuntime", OrtNetwork.describe(t));
                } else {
                    b = BudgetSearch.search(st, ctx, trained.spec(), result, targetSpeedup);
                    title = String.format(Locale.ROOT, "Per-unit budget for %s at %.2fx fewer MACs", strategy,
                            targetSpeedup);
                }
                Map<String, Double> drops = new LinkedHashMap<>();
                b.ratios().forEach((u, r) -> drops.put(u, result.cell(u, r).drop()));
                String setting = "strategy." + strategy + "." + LayerwiseStrategy.LAYER_RATIOS.name() + "="
                        + LayerwiseStrategy.format(b.ratios());
                List<String> lines = new ArrayList<>();
                lines.add(b.verdict() + ".");
                lines.addAll(notes);
                lines.add(String.format(Locale.ROOT, "Predicted loss (sum of the units' drops alone, negative ones as "
                        + "0): %.2f points.", b.predictedDrop()));
                lines.add("Use it: --set " + setting);
                Tables.Meta bm = new Tables.Meta(title, lines);
                for (TableFormat each : TableFormat.values()) {
                    write(dir.resolve("budget." + each.fileName().substring(each.fileName().indexOf('.') + 1)),
                            SensitivityReport.renderBudget(b.ratios(), drops, bm, each));
                }
                System.out.println();
                System.out.print(SensitivityReport.renderBudget(b.ratios(), drops, bm, f));
                p.addProperty("budget", setting);
                p.addProperty("budgetBy", byTime ? "time" : "macs");
                p.addProperty("budgetMet", b.met());
            }
            write(new RunFolder(dir).provenance(), new GsonBuilder().setPrettyPrinting().create().toJson(p) + "\n");
        }
        System.out.println();
        System.out.println("Sensitivity folder: " + dir.toAbsolutePath());
        return 0;
    }

    private static CompressionStrategy unwrap(CompressionStrategy s) {
        CompressionStrategy b = s;
        while (b instanceof StrategyVariant v) {
            b = v.base();
        }
        return b;
    }

    /** The run's effective keys, as its provenance recorded them. */
    static Map<String, String> runKeys(Path provenance) {
        try {
            JsonObject config = JsonParser.parseString(Files.readString(provenance)).getAsJsonObject()
                    .getAsJsonObject("config");
            Map<String, String> out = new LinkedHashMap<>();
            config.entrySet().forEach(e -> out.put(e.getKey(), e.getValue().getAsJsonObject().get("value")
                    .getAsString()));
            return out;
        } catch (IOException | RuntimeException e) {
            throw new BadInputException(provenance + ": cannot read the run's configuration (" + e.getMessage()
                    + ")");
        }
    }

    private static void write(Path file, String text) {
        try {
            AtomicFiles.writeString(file, text);
        } catch (IOException e) {
            throw new CompressionException(file + ": cannot write: " + e.getMessage(), e);
        }
    }
}

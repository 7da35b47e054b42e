package org.waecompress.experiments.harness;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.waecompress.backbones.Backbones;
import org.waecompress.backbones.SafeTensors;
import org.waecompress.experiments.config.ExperimentConfig;
import org.waecompress.experiments.config.ExperimentSettings;
import org.waecompress.experiments.config.InputShapes;
import org.waecompress.experiments.measure.LatencyEngine;
import org.waecompress.experiments.measure.LatencySettings;
import org.waecompress.experiments.onnx.OnnxExport;
import org.waecompress.experiments.onnx.OrtNetwork;
import org.waecompress.experiments.report.Tables;
import org.waecompress.experiments.result.ResultRow;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionException;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.DataException;
import org.waecompress.spi.InvalidSettingException;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.io.AtomicFiles;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.plugin.StackedStrategy;
import org.waecompress.spi.plugin.StrategyRegistry;
import org.waecompress.spi.plugin.StrategyVariant;
import org.waecompress.spi.setting.Setting;
import org.waecompress.spi.spec.LayerSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecJson;
import org.waecompress.spi.spec.SpecTraversal;
import org.waecompress.spi.train.Accuracy;
import org.waecompress.spi.train.Evaluator;
import org.waecompress.spi.train.NetworkTrainer;
import org.waecompress.spi.train.Progress;
import org.waecompress.spi.train.ProgressListener;
import org.waecompress.spi.train.TrainingDivergedException;

/**
 * Runs an experiment plan: the backbone, then every strategy applied to it; for each row it measures
 * cost (from the spec), accuracy (on the test set) and CPU latency (alternating with the backbone in
 * this process), appends the row to {@code results.jsonl}, and finally writes the tables, plots and
 * provenance. With {@code resume}, finished rows are kept and skipped.
 */
public final class ExperimentRunner {

    private final ProgressListener progress;

    /**
     * Creates the runner; a plan brings its strategies ({@link ExperimentConfig#strategies()}).
     *
     * @param progress where progress goes
     */
    @com.google.inject.Inject
    public ExperimentRunner(ProgressListener progress) {
        this.progress = progress;
    }

    /**
     * What a run produced.
     *
     * @param dir the run folder
     * @param rows the rows, backbone first
     * @param markdown the Markdown table
     */
    public record Outcome(Path dir, List<ResultRow> rows, Tables.Meta meta) {}

    /**
     * Returns the strategy ids a setting selects: {@code all} (every installed strategy and every
     * variant, the plan's own included), or the listed ids, each once (an empty list gives a table with
     * the backbone alone).
     *
     * @param config the configuration snapshot (its variants)
     * @param s the settings
     * @return the ids, in table order
     * @throws InvalidSettingException for an id listed twice or {@code all} among ids
     * @throws org.waecompress.spi.UnknownStrategyException for an id no plugin installs
     */
    public List<String> selected(ExperimentConfig config, ExperimentSettings s) {
        StrategyRegistry registry = config.strategies();
        if (s.strategies().size() == 1 && s.strategies().get(0).equals("all")) {
            return new ArrayList<>(registry.ids());
        }
        Set<String> seen = new java.util.HashSet<>();
        for (String id : s.strategies()) {
            if (id.equals("all")) {
                throw new InvalidSettingException("strategies", String.join(",", s.strategies()), "'all' cannot be "
                        + "combined with other ids; give all alone or list the ids");
            }
            if (!seen.add(id)) {
                throw new InvalidSettingException("strategies", String.join(",", s.strategies()), "names " + id
                        + " twice; every strategy is one row of the table");
            }
            registry.get(id);
        }
        return s.strategies();
    }

    /**
     * Checks a plan before anything is written or trained: the strategy list, and every setting of
     * every selected strategy ({@link CompressionStrategy#checkSettings}).
     *
     * @param config the configuration snapshot
     * @param s its typed settings
     * @return the selected strategy ids
     * @throws InvalidSettingException naming the first bad key
     */
    public List<String> validate(ExperimentConfig config, ExperimentSettings s) {
        List<String> ids = selected(config, s);
        StrategyRegistry registry = config.strategies();
        for (String id : ids) {
            registry.get(id).checkSettings(planContext(id, config, s));
        }
        return ids;
    }

    /**
     * Checks a plan that needs no data (a speed table) the whole way before anything runs: its list
     * and settings ({@link #validate}), then every strategy's architecture on its backbone. A plan
     * with data gets the architecture check once its data's shape is known, before its backbone
     * trains.
     *
     * @param config the configuration snapshot
     * @param s its typed settings
     */
    public void validateWithoutData(ExperimentConfig config, ExperimentSettings s) {
        List<String> ids = validate(config, s);
        if (!s.accuracy()) {
            checkArchitectures(ids, config, s, Backbones.create(s.backbone(), inputShape(s, null),
                    s.syntheticClasses(), s.width()));
        }
    }

    /** A strategy's context for checks before the run: its settings and budget, no data, a trainer never used. */
    private static CompressionContext planContext(String id, ExperimentConfig config, ExperimentSettings s) {
        return new CompressionContext(id, config.strategy(id), s.seed(), null,
                new NetworkTrainer(ProgressListener.NONE),
                s.finetune(), ProgressListener.NONE, null);
    }

    /**
     * Asks every selected strategy for its architecture on the run's backbone, before the backbone
     * trains: settings that only a backbone makes wrong (a layer that does not exist, a target no
     * pruning reaches) stop the run now. Strategies that need data for their architecture are
     * skipped.
     */
    private void checkArchitectures(List<String> ids, ExperimentConfig config, ExperimentSettings s,
            NetworkSpec backbone) {
        StrategyRegistry registry = config.strategies();
        for (String id : ids) {
            try {
                registry.get(id).architecture(backbone, planContext(id, config, s));
            } catch (UnsupportedOperationException e) {
                // decided by the data: checked when its row runs
            }
        }
    }

    /**
     * Runs the plan.
     *
     * @param config the configuration snapshot
     * @param s its typed settings
     * @param dir the run folder
     * @param resume whether to keep finished rows
     * @param args the command line, for provenance
     * @return the outcome
     */
    public Outcome run(ExperimentConfig config, ExperimentSettings s, Path dir, boolean resume, List<String> args) {
        return run(config, s, dir, resume, args, o -> { });
    }

    /**
     * Runs the plan and hands its outcome to {@code publish} while the run folder is still this run's
     * alone (the reports are written there: {@code RunReport.write}).
     *
     * @param config the configuration snapshot
     * @param s its typed settings
     * @param dir the run folder
     * @param resume whether to keep finished rows
     * @param args the command line, for provenance
     * @param publish what to do with the outcome before the folder's lock is released
     * @return the outcome
     */
    public Outcome run(ExperimentConfig config, ExperimentSettings s, Path dir, boolean resume, List<String> args,
            Consumer<Outcome> publish) {
        Instant started = Instant.now();
        if (s.latency().engines().contains(LatencyEngine.ONNXRUNTIME)) {
            // the process's one intra-op pool gets the latency threads, unless an earlier run made it
            OrtNetwork.environment(s.latency().threads());
        }
        List<String> ids = validate(config, s);
        // a folder this run makes is removed again if the start fails; one the user made keeps its log
        boolean fresh = !Files.exists(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new InvalidSettingException("output.dir", dir, "cannot be created (" + e.getMessage() + ")");
        }
        try (RunLock lock = RunLock.acquire(dir, String.join(" ", args))) {
            try {
                Outcome o = locked(config, s, ids, dir, resume, args, started);
                publish.accept(o);
                return o;
            } catch (RuntimeException e) {
                if (fresh) {
                    // a start that failed before recording anything leaves no folder behind (still holding the lock)
                    removeIfOnlyLog(dir);
                }
                throw e;
            }
        }
    }

    /**
     * Removes a run folder that holds nothing but its log and lock file, so that a failed start (bad
     * data folder, a setting only the backbone makes wrong) leaves no empty run behind. A folder with a
     * trained backbone, provenance or results is kept for {@code --resume}.
     *
     * @param dir the run folder
     */
    static void removeIfOnlyLog(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            List<Path> left = entries.toList();
            if (left.stream().allMatch(f -> Set.of("log.txt", RunLock.FILE).contains(f.getFileName().toString()))) {
                for (Path f : left) {
                    Files.delete(f);
                }
                Files.delete(dir);
            }
        } catch (IOException e) {
            // leave the folder; the run's own error is the one to report
        }
    }

    private Outcome locked(ExperimentConfig config, ExperimentSettings s, List<String> ids, Path dir, boolean resume,
            List<String> args, Instant started) {
        {
            ResultStore store = new ResultStore(dir);
            JsonObject plan = null;
            Map<String, String[]> changed = Map.of();
            if (resume) {
                // what a killed run was writing when it died: this run holds the folder's lock, so no writer is left
                try {
                    AtomicFiles.removeLeftovers(dir);
                } catch (IOException e) {
                    throw new CompressionException(dir + ": cannot read the run folder: " + e.getMessage(), e);
                }
                plan = ResumeCheck.provenance(dir);
                if (plan != null) {
                    changed = ResumeCheck.compare(dir, plan, config, startedRows(store, dir));
                    checkWeightsUnchanged(plan, s, dir);
                } else if (Files.exists(store.file()) || Files.exists(dir.resolve("networks"))) {
                    throw new InvalidSettingException("output.dir", dir, "holds results but no provenance.json, so "
                            + "the plan that computed them is unknown; start a new run folder with --out");
                }
                store.repair();
            } else if (Files.exists(store.file())) {
                throw new InvalidSettingException("output.dir", dir, "already holds results.jsonl; pass --resume to "
                        + "continue that run or choose another folder");
            }
            try (RunLog log = new RunLog(progress, dir.resolve("log.txt"))) {
                log.note((resume ? "resumed: " : "started: ") + String.join(" ", args));
                changed.forEach((k, v) -> log.note("resume changes " + k + " from '" + v[0] + "' to '" + v[1]
                        + "' (a key that cannot change results)"));
                try {
                    return run(config, s, ids, dir, resume, args, started, store, log, plan, changed);
                } catch (RuntimeException e) {
                    log.note("failed: " + e.getMessage());
                    throw e;
                }
            }
        }
    }

    /** The rows whose numbers a resume must not change: stored ones, and those with checkpoints. */
    private static Set<String> startedRows(ResultStore store, Path dir) {
        Set<String> rows = new java.util.HashSet<>();
        store.read().forEach(r -> rows.add(r.row()));
        Path ck = dir.resolve("checkpoints");
        if (Files.isDirectory(ck)) {
            try (Stream<Path> d = Files.list(ck)) {
                d.forEach(p -> rows.add(p.getFileName().toString()));
            } catch (IOException e) {
                // none
            }
        }
        return rows;
    }

    /**
     * Refuses a resume whose {@code backbone.weights} file is not the one the run started from, while
     * the backbone loaded from it is not saved yet (after that the run uses its own copy).
     */
    private static void checkWeightsUnchanged(JsonObject plan, ExperimentSettings s, Path dir) {
        if (s.backboneWeights().isEmpty() || !plan.has("backboneWeights")
                || Files.exists(dir.resolve("networks").resolve("backbone.spec.json"))) {
            return;
        }
        Path f = Path.of(s.backboneWeights());
        String was = plan.getAsJsonObject("backboneWeights").get("sha256").getAsString();
        if (Files.isRegularFile(f) && !sha256(f).equals(was)) {
            throw new InvalidSettingException("backbone.weights", f, "is not the file this run started from (its "
                    + "SHA-256 was " + was.substring(0, 12) + "..., now " + sha256(f).substring(0, 12) + "...); "
                    + "resume with that file, or start a new run folder with --out");
        }
    }

    private Outcome run(ExperimentConfig config, ExperimentSettings s, List<String> ids, Path dir, boolean resume,
            List<String> args, Instant started, ResultStore store, ProgressListener log, JsonObject plan,
            Map<String, String[]> changed) {
        Map<String, ResultRow> done = new LinkedHashMap<>();
        for (ResultRow r : store.read()) {
            done.put(r.row(), r);
        }
        boolean needData = s.accuracy();
        RunData data = needData ? RunData.load(s) : null;
        Shape input = inputShape(s, data);
        if (needData) {
            s.finetune().augmentation().checkFits(input.get(1), input.get(2), "data.augment.shift");
        }
        int classes = data != null ? data.test().numClasses() : s.syntheticClasses();
        NetworkSpec backboneSpec = Backbones.create(s.backbone(), input, classes, s.width());
        String dataDesc = data != null ? data.description()
                : "no data: architectures at " + input + " with random weights (accuracy not measured)";
        checkArchitectures(ids, config, s, backboneSpec);
        boolean savedBackbone = resume && Files.exists(dir.resolve("networks").resolve("backbone.spec.json"));
        // a backbone file for another network is refused before the run folder records anything
        Network preloaded = s.backboneWeights().isEmpty() || savedBackbone ? null
                : loadWeights(Path.of(s.backboneWeights()), backboneSpec, classes);
        Properties paper;
        try {
            String provenance = Provenance.withStrategySettings(Provenance.json(config, args, dataDesc, started,
                    s.latency()), effectiveSettings(config, s));
            if (!s.backboneWeights().isEmpty()) {
                Path wf = Path.of(s.backboneWeights());
                if (Files.isRegularFile(wf)) {
                    provenance = Provenance.withBackboneWeights(provenance, wf, sha256(wf));
                }
            }
            write(dir.resolve("provenance.json"), plan == null ? provenance : Provenance.withResume(plan,
                    provenance, changed));
            paper = s.paperReference() ? paperReference() : new Properties();
        } catch (RuntimeException e) {
            if (preloaded != null) {
                preloaded.close();
            }
            throw e;
        }
        NetworkTrainer trainer = new NetworkTrainer(log);
        List<ResultRow> rows = new ArrayList<>();
        Progress overall = new Progress(log, "run " + s.name() + " (rows)", ids.size() + 1, 0);
        long trainStart = System.nanoTime();
        try (Network base = backbone(s, backboneSpec, classes, data, trainer, dir, resume, log, preloaded);
                NDManager m = NDManager.newBaseManager(); BuiltNetwork baseBuilt = base.build(m);
                RowTiming timing = new RowTiming(s, dir, log)) {
            CostReport baseCost = CostReport.of(base.spec());
            ResultRow baseRow = done.get("backbone");
            if (baseRow == null) {
                double trainSeconds = (System.nanoTime() - trainStart) / 1e9;
                Accuracy acc = data == null ? null : new Evaluator(log).evaluate("test backbone", baseBuilt,
                        data.test(), 250);
                baseRow = row("backbone", base.spec().name() + " (backbone)", base.spec().name(), null, acc, baseCost,
                        baseCost, timing.backbone(base, baseBuilt), trainSeconds, paper, s, Map.of(), base.spec());
                store.append(baseRow);
            }
            rows.add(baseRow);
            overall.step(1, "backbone");
            for (String id : ids) {
                ResultRow r = done.get(id);
                if (r == null) {
                    r = strategyRow(id, config, s, base, baseBuilt, baseCost, data, trainer, dir, paper, timing, log);
                    if (r != null) {
                        store.append(r);
                    }
                    deleteCheckpoints(dir, id);
                }
                if (r != null) {
                    rows.add(r);
                }
                overall.step(1, id);
            }
        }
        Tables.Meta base = meta(s, dataDesc, input);
        String rates = rateNote(ids, config, s);
        if (rates != null && s.accuracy()) {
            List<String> notes = new ArrayList<>(base.notes());
            notes.add(Math.min(2, notes.size()), rates);
            base = new Tables.Meta(base.title(), notes);
        }
        Tables.Meta meta = Tables.withFailureNotes(Tables.withFallbackNotes(Tables.withPartNotes(base, rows), rows),
                rows);
        return new Outcome(dir, rows, meta);
    }

    /**
     * States each strategy's fine-tuning rate as a factor of the run's ({@code fineTuneRateFactor}: its
     * paper's default or the user's value), for the strategies that declare it, and what each
     * strategy says a reader must know ({@link CompressionStrategy#tableNote}), equal clauses merged.
     */
    private String rateNote(List<String> ids, ExperimentConfig config, ExperimentSettings s) {
        StrategyRegistry registry = config.strategies();
        List<String> parts = new ArrayList<>();
        Map<String, List<String>> clauses = new LinkedHashMap<>();
        for (String id : ids) {
            CompressionStrategy st = registry.get(id);
            CompressionContext ctx = planContext(id, config, s);
            if (st instanceof StackedStrategy stack) {
                for (CompressionStrategy stage : stack.stages()) {
                    CompressionContext sc = planContext(stage.id(), config, s);
                    for (Setting<?> setting : stage.settings()) {
                        if (setting.name().equals(CompressionContext.FINE_TUNE_RATE_FACTOR)) {
                            parts.add(id + "'s " + stage.id() + " " + sc.get(setting) + "x");
                        }
                    }
                }
            }
            for (Setting<?> setting : st.settings()) {
                if (setting.name().equals(CompressionContext.FINE_TUNE_RATE_FACTOR)) {
                    parts.add(id + " " + ctx.get(setting) + "x");
                }
            }
            String clause = st.tableNote(ctx);
            if (clause != null) {
                clauses.computeIfAbsent(clause, c -> new ArrayList<>()).add(id);
            }
        }
        List<String> notes = new ArrayList<>();
        if (!parts.isEmpty()) {
            notes.add("Fine-tuning rate as a factor of the run's (strategy.ID.fineTuneRateFactor; ThiNet, Taylor and "
                    + "low-rank at their papers' 0.1x): " + String.join(", ", parts) + ".");
        }
        clauses.forEach((clause, who) -> notes.add(String.join(", ", who) + ": " + clause + "."));
        return notes.isEmpty() ? null : String.join(" ", notes);
    }

    private ResultRow strategyRow(String id, ExperimentConfig config, ExperimentSettings s, Network base,
            BuiltNetwork baseBuilt, CostReport baseCost, RunData data, NetworkTrainer trainer, Path dir,
            Properties paper, RowTiming timing, ProgressListener log) {
        CompressionStrategy strategy = config.strategies().get(id);
        Map<String, String> settings = new TreeMap<>();
        config.strategy(id).getKeys().forEachRemaining(k -> settings.put(k, config.strategy(id).getString(k)));
        NetworkTrainer rowTrainer = rowTrainer(trainer, s, dir, id, "strategy " + id + " " + settings);
        CompressionContext ctx = new CompressionContext(id, config.strategy(id), s.seed(),
                data == null ? null : data.train(), rowTrainer, s.finetune(), log, dir);
        long t0 = System.nanoTime();
        Network compressed;
        if (s.accuracy()) {
            try {
                compressed = strategy.compress(base, ctx);
            } catch (TrainingDivergedException e) {
                log.message(id + ": failed: " + e.getMessage() + "; the row is recorded as failed and the other rows "
                        + "run");
                return failedRow(id, strategy, ctx, base, baseCost, settings, s, e, (System.nanoTime() - t0) / 1e9);
            }
        } else {
            NetworkSpec arch;
            try {
                arch = strategy.architecture(base.spec(), ctx);
            } catch (UnsupportedOperationException e) {
                log.message(id + ": skipped (" + e.getMessage() + ")");
                return null;
            }
            compressed = Network.random(arch, base.classes(), s.seed());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        try (compressed; NDManager m = NDManager.newBaseManager(); BuiltNetwork built = compressed.build(m)) {
            if (s.keepNetworks()) {
                compressed.save(dir.resolve("networks"), id);
            }
            Accuracy acc = data == null ? null : new Evaluator(log).evaluate("test " + id, built, data.test(), 250);
            return row(id, id, compressed.spec().name(), id, acc, CostReport.of(compressed.spec()), baseCost,
                    timing.pair(id, base, baseBuilt, compressed, built), seconds, paper, s, settings,
                    compressed.spec());
        }
    }

    /**
     * The row of a strategy whose training diverged: its cost from the architecture the strategy
     * gives without data when it can, no accuracy or latency, and why.
     */
    private static ResultRow failedRow(String id, CompressionStrategy strategy, CompressionContext ctx, Network base,
            CostReport baseCost, Map<String, String> settings, ExperimentSettings s, RuntimeException e,
            double seconds) {
        long macs = 0;
        long params = 0;
        String network = id;
        try {
            NetworkSpec arch = strategy.architecture(base.spec(), ctx);
            CostReport c = CostReport.of(arch);
            macs = c.totalMacs();
            params = c.totalParams();
            network = arch.name();
        } catch (RuntimeException ignored) {
            // a data-dependent architecture: no cost to show
        }
        return new ResultRow(id, id, network, id, null, null, null, macs, params,
                macs == 0 ? 0 : baseCost.totalMacs() / (double) macs, s.latency().batch(),
                s.latency().throughputBatch(), List.of(), null, seconds, null, null, settings,
                Instant.now().toString(), null, "training diverged: " + e.getMessage());
    }

    private static ResultRow row(String rowId, String label, String network, String strategy, Accuracy acc,
            CostReport cost, CostReport baseCost, RowTiming.Measured t, double seconds, Properties paper,
            ExperimentSettings s, Map<String, String> settings, NetworkSpec spec) {
        // a backbone whose reference numbers are another's says so in the file (vgg16-ceil.sameAs = vgg16)
        String pk = paper.getProperty(s.backbone() + ".sameAs", s.backbone()) + "." + rowId + ".";
        Double p5 = paper.containsKey(pk + "top5") ? Double.valueOf(paper.getProperty(pk + "top5")) : null;
        Double ps = paper.containsKey(pk + "speedup") ? Double.valueOf(paper.getProperty(pk + "speedup")) : null;
        return new ResultRow(rowId, label, network, strategy, acc == null ? null : acc.top1Error(),
                acc == null ? null : acc.top5Error(), acc == null ? null : acc.samples(), cost.totalMacs(),
                cost.totalParams(), baseCost.totalMacs() / (double) cost.totalMacs(), s.latency().batch(),
                s.latency().throughputBatch(), t.timings(), t.onnx(), seconds, p5, ps, settings,
                Instant.now().toString(), partMacs(spec, cost));
    }

    /**
     * Returns the MACs of each top-level part when the network's root is a composite node (not a
     * plain sequence of layers), so tables can say what an encoder or a branch costs.
     *
     * @param spec the network's spec
     * @param cost its cost report
     * @return part path to MACs, in order, or null
     */
    static Map<String, Long> partMacs(NetworkSpec spec, CostReport cost) {
        if (spec.root() instanceof SequentialSpec || spec.root().children().isEmpty()) {
            return null;
        }
        Map<String, Long> parts = new LinkedHashMap<>();
        List<LayerSpec> children = spec.root().children();
        for (int i = 0; i < children.size(); i++) {
            String path = SpecTraversal.childPath("", children.get(i), i);
            parts.put(path, cost.macsOf(path));
        }
        return parts;
    }

    private Network backbone(ExperimentSettings s, NetworkSpec spec, int classes, RunData data, NetworkTrainer trainer,
            Path dir, boolean resume, ProgressListener log, Network preloaded) {
        Path saved = dir.resolve("networks").resolve("backbone.spec.json");
        if (resume && Files.exists(saved)) {
            log.message("resume: loading the trained backbone from " + saved);
            return Network.load(saved);
        }
        if (preloaded != null) {
            Network loaded = preloaded;
            log.message("backbone: loaded from " + s.backboneWeights());
            if (data == null || s.train() == null) {
                try {
                    loaded.save(dir.resolve("networks"), "backbone");
                } catch (RuntimeException e) {
                    loaded.close();
                    throw e;
                }
                return loaded;
            }
            NetworkTrainer t = rowTrainer(trainer, s, dir, "backbone", "backbone");
            try (loaded) {
                Network tuned = t.train("fine-tune " + spec.name() + " from " + s.backboneWeights(), loaded,
                        data.train(), s.train()).network();
                tuned.save(dir.resolve("networks"), "backbone");
                deleteCheckpoints(dir, "backbone");
                return tuned;
            }
        }
        if (data == null || s.train() == null) {
            return Network.random(spec, classes, s.seed());
        }
        NetworkTrainer t = rowTrainer(trainer, s, dir, "backbone", "backbone");
        try (Network init = Network.random(spec, classes, s.seed())) {
            Network trained = t.train("train " + spec.name(), init, data.train(), s.train()).network();
            trained.save(dir.resolve("networks"), "backbone");
            deleteCheckpoints(dir, "backbone");
            return trained;
        }
    }

    /**
     * Loads a trained backbone from {@code backbone.weights}: a safetensors file with the backbone's
     * parameter names (a torchvision {@code state_dict}, or {@link SafeTensors#export}) or a network
     * that waec saved ({@code NAME.spec.json} beside {@code NAME.params}). Every parameter of the
     * run's backbone must be there with its shape.
     *
     * @param file the file
     * @param spec the run's backbone
     * @param classes its classes
     * @return the network
     * @throws InvalidSettingException for a missing file or another format
     * @throws org.waecompress.spi.DataException naming the first missing, extra or mis-shaped tensor
     */
    static Network loadWeights(Path file, NetworkSpec spec, int classes) {
        String name = file.getFileName().toString();
        if (!Files.isRegularFile(file)) {
            throw new InvalidSettingException("backbone.weights", file, "file not found (relative paths start from "
                    + "the folder you run waec in)");
        }
        if (name.endsWith(".safetensors")) {
            return SafeTensors.importInto(spec, classes, file);
        }
        if (name.endsWith(".spec.json")) {
            try (Network saved = Network.load(file)) {
                if (!SpecJson.toJson(saved.spec().root()).equals(SpecJson.toJson(spec.root()))
                        || !saved.spec().inputShape().equals(spec.inputShape())) {
                    throw new DataException(file + ": holds the network '" + saved.spec().name() + "' (input "
                            + saved.spec().inputShape() + "), whose layers are not those of this plan's backbone '"
                            + spec.name() + "' (input " + spec.inputShape()
                                    + "); set backbone.name, backbone.width and "
                            + "the data as in the run that saved it");
                }
                return Network.of(spec, classes, saved.weights(), file.toString());
            }
        }
        throw new InvalidSettingException("backbone.weights", file, "expected a .safetensors file or a NAME.spec.json "
                + "that waec saved");
    }

    /**
     * Returns a file's SHA-256, for provenance.
     *
     * @param file the file
     * @return the hex digest
     */
    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0;) {
                md.update(buf, 0, r);
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new CompressionException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Where a row's training calls keep their checkpoints until the row is stored. */
    private static Path checkpointDir(Path dir, String row) {
        return dir.resolve("checkpoints").resolve(row);
    }

    /** The trainer for one row: checkpointing into the row's folder unless the settings turn it off. */
    private static NetworkTrainer rowTrainer(NetworkTrainer trainer, ExperimentSettings s, Path dir, String row,
            String scope) {
        return s.checkpoints()
                ? trainer.withCheckpoints(checkpointDir(dir, row), scope, Duration.ofSeconds(s.checkpointSeconds()))
                : trainer;
    }

    private static void deleteCheckpoints(Path dir, String row) {
        Path rowDir = checkpointDir(dir, row);
        if (!Files.isDirectory(rowDir)) {
            return;
        }
        try {
            deleteTree(rowDir);
        } catch (IOException e) {
            throw new CompressionException("cannot delete the finished row's checkpoints in " + rowDir + ": "
                    + e.getMessage(), e);
        }
        try {
            Files.deleteIfExists(rowDir.getParent());
        } catch (IOException e) {
            // another row's checkpoints are still there
        }
    }

    /** Deletes a folder and everything in it. */
    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static Shape inputShape(ExperimentSettings s, RunData data) {
        if (s.input().equals("auto")) {
            if (data != null) {
                return data.test().sampleShape();
            }
            return new Shape(s.syntheticChannels(), s.syntheticSize(), s.syntheticSize());
        }
        Shape sh;
        try {
            sh = InputShapes.parse(s.input());
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("backbone.input", s.input(), "must be auto or CxHxW, e.g. 3x224x224");
        }
        if (data != null && !data.test().sampleShape().equals(sh)) {
            throw new InvalidSettingException("backbone.input", s.input(), "the data's images are "
                    + data.test().sampleShape() + "; use auto or that shape");
        }
        return sh;
    }

    private static Properties paperReference() {
        Properties p = new Properties();
        try (InputStream in = ExperimentRunner.class.getClassLoader().getResourceAsStream(
                "paper-reference.properties")) {
            p.load(in);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("missing paper-reference.properties", e);
        }
        return p;
    }

    static Tables.Meta meta(ExperimentSettings s, String data, Shape input) {
        List<String> notes = new ArrayList<>();
        notes.add("Data: " + data + ".");
        if (s.accuracy()) {
            String backbone = !s.backboneWeights().isEmpty()
                    ? "loaded from " + Path.of(s.backboneWeights()).getFileName() + (s.train() == null ? ""
                            : " and fine-tuned " + epochs(s.train().epochs()))
                    : s.train() == null ? "trained not at all (random weights)" : "trained "
                            + epochs(s.train().epochs());
            notes.add(String.format(Locale.ROOT, "Backbone %s; each strategy gets %s of fine-tuning "
                    + "(lr %.3g, batch %d); seed %d.", backbone, epochs(s.finetune().epochs()),
                    s.finetune().learningRate(), s.finetune().batchSize(), s.seed()));
            if (s.finetune().augmentation().active()) {
                notes.add("Training batches (backbone and every strategy) are augmented: "
                        + s.finetune().augmentation() + "; evaluation is not.");
            }
        }
        notes.add(latencyNote(s.latency(), input));
        notes.add("MACs: convolution and linear multiply-accumulates per image (ThiNet's tables count 2 FLOPs per MAC).");
        if (s.paperReference()) {
            notes.add("Paper columns: as reported by Chen et al. (AAAI 2018) for VGG16 on ImageNet (Intel i7 3.5 GHz); "
                    + "not measured here.");
        }
        String title = String.format(Locale.ROOT, "%s: %s", s.name(), s.backbone()
                + (s.width() == 1.0 ? "" : " (width " + s.width() + ")"));
        return new Tables.Meta(title, notes);
    }

    private static String epochs(int n) {
        return n + (n == 1 ? " epoch" : " epochs");
    }

    /**
     * Describes how the latency columns were measured: engines with versions and options, batch,
     * runs, the duty cycle, in process or in fresh JVMs, and the CPU.
     *
     * @param l the latency settings
     * @param input the input shape
     * @return the note
     */
    static String latencyNote(LatencySettings l, Shape input) {
        String where = l.forks() == 0
                ? "each strategy timed alternately with the backbone in one process (the backbone's median from that "
                        + "pairing is in the 'backbone ... ms (paired)' column), speed-up = ratio of those medians"
                : String.format(Locale.ROOT, "every row timed in %d fresh JVMs one after another, each timing the "
                        + "strategy alternately with the backbone; the ms columns are medians over the JVMs of each "
                        + "JVM's median (and p90), speed-up = median over the JVMs of each JVM's ratio of medians, "
                        + "'speed-up range' = the lowest and highest of those ratios", l.forks());
        return String.format(Locale.ROOT, "Latency: input %s, batch %d, median and p90 of %d runs after %d warm-up, "
                + "%s; %s; throughput at batch %d. Engine%s: %s%s. CPU: %s.", input, l.batch(), l.runs(), l.warmup(),
                l.regime(), where, l.throughputBatch(), l.engines().size() == 1 ? "" : "s", l.describeEngines(),
                l.engines().contains(LatencyEngine.ONNXRUNTIME)
                        ? "; ONNX Runtime runs each row's file as waec exported "
                        + "it (opset " + OnnxExport.OPSET + ")" : "", Provenance.cpuModel());
    }

    static void write(Path file, String text) {
        try {
            AtomicFiles.writeString(file, text);
        } catch (IOException e) {
            throw new CompressionException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    /**
     * Returns the effective settings of the selected strategies as their declarations give them: per
     * strategy, per setting, the value and where it came from (the user's layer, the variant's
     * definition, or the declared default, which for a run-dependent default is its text).
     *
     * @param config the configuration snapshot
     * @param s its typed settings
     * @return id to setting name to {value, source}
     */
    public Map<String, Map<String, String[]>> effectiveSettings(ExperimentConfig config, ExperimentSettings s) {
        StrategyRegistry registry = config.strategies();
        Map<String, Map<String, String[]>> out = new LinkedHashMap<>();
        for (String id : selected(config, s)) {
            CompressionStrategy st = registry.get(id);
            Map<String, String[]> m = new LinkedHashMap<>();
            if (st instanceof StackedStrategy stack) {
                // a stack's stages run with their own keys: stage.setting
                for (CompressionStrategy stage : stack.stages()) {
                    effective(stage, config).forEach((name, v) -> m.put(stage.id() + "." + name, v));
                }
            } else {
                m.putAll(effective(st, config));
            }
            out.put(id, m);
        }
        return out;
    }

    /** One strategy's settings: per setting, its value and where it came from. */
    private static Map<String, String[]> effective(CompressionStrategy st, ExperimentConfig config) {
        String id = st.id();
        Map<String, String[]> m = new LinkedHashMap<>();
        CompressionStrategy base = st instanceof StrategyVariant v ? v.base() : st;
        Map<String, String> variantValues = st instanceof StrategyVariant v ? v.values() : Map.of();
        for (Setting<?> setting : st.settings()) {
            String key = "strategy." + id + "." + setting.name();
            String given = config.strategy(id).getString(setting.name(), null);
            if (given != null) {
                m.put(setting.name(), new String[] {given, config.sources().get(key)});
            } else if (variantValues.containsKey(setting.name())) {
                m.put(setting.name(), new String[] {variantValues.get(setting.name()).trim(), "variant of "
                        + base.id()});
            } else {
                m.put(setting.name(), new String[] {setting.defaultText(), "declared default"});
            }
        }
        return m;
    }
}

package org.waecompress.experiments.harness;

import ai.djl.Device;
import ai.djl.engine.Engine;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Consumer;
import org.waecompress.backbones.Backbones;
import org.waecompress.backbones.SafeTensors;
import org.waecompress.experiments.config.ExperimentConfig;
import org.waecompress.experiments.config.ExperimentSettings;
import org.waecompress.experiments.config.InputShapes;
import org.waecompress.experiments.measure.LatencyEngine;
import org.waecompress.experiments.onnx.OrtNetwork;
import org.waecompress.experiments.report.Tables;
import org.waecompress.experiments.result.PaperReference;
import org.waecompress.experiments.result.ResultRow;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionException;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.DataException;
import org.waecompress.spi.InvalidSettingException;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.plugin.StackedStrategy;
import org.waecompress.spi.plugin.StrategyRegistry;
import org.waecompress.spi.plugin.StrategyVariant;
import org.waecompress.spi.setting.Setting;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SpecJson;
import org.waecompress.spi.train.Accuracy;
import org.waecompress.spi.train.Evaluator;
import org.waecompress.spi.train.NetworkTrainer;
import org.waecompress.spi.train.Progress;
import org.waecompress.spi.train.ProgressListener;

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
     * @throws InvalidSettingException for an id listed twice or {@code all} among ids that are not stacks
     * @throws org.waecompress.spi.UnknownStrategyException for an id no plugin installs
     */
    public List<String> selected(ExperimentConfig config, ExperimentSettings s) {
        StrategyRegistry registry = config.strategies();
        boolean all = s.strategies().contains("all");
        List<String> ids = new ArrayList<>(all ? registry.ids() : List.of());
        Set<String> seen = new java.util.HashSet<>(ids);
        for (String id : s.strategies()) {
            if (id.equals("all")) {
                continue;
            }
            if (all && !StackedStrategy.isStack(id)) {
                throw new InvalidSettingException("strategies", String.join(",", s.strategies()), "'all' can be "
                        + "combined with stacks (A+B) only, and " + id + " is already among all; give all alone, "
                        + "all with stacks, or list the ids");
            }
            if (!seen.add(id)) {
                throw new InvalidSettingException("strategies", String.join(",", s.strategies()), "names " + id
                        + " twice; every strategy is one row of the table");
            }
            registry.get(id);
            ids.add(id);
        }
        return ids;
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
        devices(s);
        executor(s);
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

    /**
     * Resolves the plan's {@code device} setting against the GPUs the engine sees.
     *
     * @param s the settings
     * @return the devices, the first one primary
     */
    public static List<Device> devices(ExperimentSettings s) {
        return Devices.resolve(s.device(), Engine.getInstance().getGpuCount());
    }

    /** A strategy's context for checks before the run: its settings and budget, no data, a trainer never used. */
    static CompressionContext planContext(String id, ExperimentConfig config, ExperimentSettings s) {
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
        Devices.use(devices(s));
        RunFolder folder = new RunFolder(dir);
        // a folder this run makes is removed again if the start fails; one the user made keeps its log
        boolean fresh = folder.create();
        try (RunLock lock = folder.lock(String.join(" ", args))) {
            try {
                Outcome o = locked(config, s, ids, folder, resume, args, started);
                publish.accept(o);
                return o;
            } catch (RuntimeException e) {
                if (fresh) {
                    // a start that failed before recording anything leaves no folder behind (still holding the lock)
                    folder.removeIfOnlyLog();
                }
                throw e;
            }
        }
    }

    private Outcome locked(ExperimentConfig config, ExperimentSettings s, List<String> ids, RunFolder folder,
            boolean resume, List<String> args, Instant started) {
        Path dir = folder.dir();
        JsonObject plan = null;
        Map<String, String[]> changed = Map.of();
        if (resume) {
            // what a killed run was writing when it died: this run holds the folder's lock, so no writer is left
            folder.removeLeftovers();
            plan = ResumeCheck.provenance(dir);
            if (plan != null) {
                changed = ResumeCheck.compare(dir, plan, config, folder.startedRows());
                checkWeightsUnchanged(plan, s, folder);
            } else if (folder.holdsResults()) {
                throw new InvalidSettingException("output.dir", dir, "holds results but no provenance.json, so "
                        + "the plan that computed them is unknown; start a new run folder with --out");
            }
            folder.results().repair();
        } else if (Files.exists(folder.results().file())) {
            throw new InvalidSettingException("output.dir", dir, "already holds results.jsonl; pass --resume to "
                    + "continue that run or choose another folder");
        }
        try (RunLog log = new RunLog(progress, folder.log())) {
            log.note((resume ? "resumed: " : "started: ") + String.join(" ", args));
            changed.forEach((k, v) -> log.note("resume changes " + k + " from '" + v[0] + "' to '" + v[1]
                    + "' (a key that cannot change results)"));
            try {
                return run(config, s, ids, folder, resume, args, started, log, plan, changed);
            } catch (RuntimeException e) {
                log.note("failed: " + e.getMessage());
                throw e;
            }
        }
    }

    /**
     * Refuses a resume whose {@code backbone.weights} file is not the one the run started from, while
     * the backbone loaded from it is not saved yet (after that the run uses its own copy).
     */
    private static void checkWeightsUnchanged(JsonObject plan, ExperimentSettings s, RunFolder folder) {
        if (s.backboneWeights().isEmpty() || !plan.has("backboneWeights") || Files.exists(folder.savedBackbone())) {
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

    private Outcome run(ExperimentConfig config, ExperimentSettings s, List<String> ids, RunFolder folder,
            boolean resume, List<String> args, Instant started, ProgressListener log, JsonObject plan,
            Map<String, String[]> changed) {
        ResultStore store = folder.results();
        Map<String, ResultRow> done = new LinkedHashMap<>();
        for (ResultRow r : store.read()) {
            done.put(r.id(), r);
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
        boolean savedBackbone = resume && Files.exists(folder.savedBackbone());
        // a backbone file for another network is refused before the run folder records anything
        Network preloaded = s.backboneWeights().isEmpty() || savedBackbone ? null
                : loadWeights(Path.of(s.backboneWeights()), backboneSpec, classes);
        PaperReferences paper;
        try {
            String provenance = Provenance.withStrategySettings(Provenance.json(config, args, dataDesc, started,
                    s.latency()), effectiveSettings(config, s));
            if (!s.backboneWeights().isEmpty()) {
                Path wf = Path.of(s.backboneWeights());
                if (Files.isRegularFile(wf)) {
                    provenance = Provenance.withBackboneWeights(provenance, wf, sha256(wf));
                }
            }
            RunFolder.write(folder.provenance(), plan == null ? provenance : Provenance.withResume(plan,
                    provenance, changed));
            paper = s.paperReference() ? PaperReferences.load() : PaperReferences.none();
        } catch (RuntimeException e) {
            if (preloaded != null) {
                preloaded.close();
            }
            throw e;
        }
        RowExecutor executor = executor(s);
        NetworkTrainer trainer = new NetworkTrainer(log);
        List<ResultRow> rows = new ArrayList<>();
        Progress overall = new Progress(log, "run " + s.name() + " (rows)", ids.size() + 1, 0);
        long trainStart = System.nanoTime();
        try (Network base = backbone(s, backboneSpec, classes, data, trainer, folder, resume, log, preloaded);
                NDManager m = Devices.newManager(); BuiltNetwork baseBuilt = base.build(m);
                RowTiming timing = new RowTiming(s, folder.dir(), log)
                        .evaluating(data != null && s.accuracyOnOnnxRuntime() ? data.test() : null)) {
            CostReport baseCost = CostReport.of(base.spec());
            ResultRow baseRow = done.get("backbone");
            if (baseRow == null) {
                double trainSeconds = (System.nanoTime() - trainStart) / 1e9;
                Accuracy acc = data == null ? null : new Evaluator(log).evaluate("test backbone", baseBuilt,
                        data.test(), 250);
                baseRow = Rows.measured("backbone", base.spec().name() + " (backbone)", null, base.spec(), baseCost,
                        acc, timing.backbone(base, baseBuilt), s.latency(), trainSeconds,
                        paper.of(s.backbone(), "backbone"), Map.of());
                store.append(baseRow);
            }
            rows.add(baseRow);
            overall.step(1, "backbone");
            // a run killed after storing a row but before removing its checkpoints left them: a stored row
            // never reads them again
            done.keySet().forEach(folder::deleteCheckpoints);
            if (executor == null) {
                for (String id : ids) {
                    ResultRow r = done.get(id);
                    if (r == null) {
                        r = strategyRow(id, config, s, base, baseBuilt, baseCost, data, trainer, folder,
                                paper.of(s.backbone(), id), timing, log);
                        if (r != null) {
                            store.append(r);
                        }
                        folder.deleteCheckpoints(id);
                    }
                    if (r != null) {
                        rows.add(r);
                    }
                    overall.step(1, id);
                }
            } else {
                List<String> pending = ids.stream().filter(id -> !done.containsKey(id)).toList();
                overall.step(ids.size() - pending.size(), "stored rows");
                executor.run(new RowExecutor.Job(config.values(), folder.dir().toAbsolutePath(), pending, s, log),
                        computed -> {
                            if (done.containsKey(computed.id()) || !pending.contains(computed.id())) {
                                log.message(computed.id() + ": handed back again (a retried task); stored once");
                                return;
                            }
                            ResultRow r = computed.failed() ? computed
                                    : timeSaved(computed, base, baseBuilt, folder, s, timing);
                            store.append(r);
                            done.put(r.id(), r);
                            folder.deleteCheckpoints(r.id());
                            overall.step(1, r.id());
                        });
                for (String id : ids) {
                    if (done.containsKey(id)) {
                        rows.add(done.get(id));
                    }
                }
            }
        }
        Tables.Meta base = TableNotes.meta(s, dataDesc, input, executor == null ? null : executor.describe(s));
        String rates = s.accuracy() ? TableNotes.strategyNote(ids, config, s)
                : TableNotes.architectureNote(ids, config, s);
        if (rates != null) {
            List<String> notes = new ArrayList<>(base.notes());
            notes.add(Math.min(2, notes.size()), rates);
            base = new Tables.Meta(base.title(), notes);
        }
        Tables.Meta meta = Tables.withFailureNotes(Tables.withAccuracyNotes(Tables.withFallbackNotes(
                Tables.withPartNotes(base, rows), rows), rows), rows);
        return new Outcome(folder.dir(), rows, meta);
    }

    private ResultRow strategyRow(String id, ExperimentConfig config, ExperimentSettings s, Network base,
            BuiltNetwork baseBuilt, CostReport baseCost, RunData data, NetworkTrainer trainer, RunFolder folder,
            PaperReference paper, RowTiming timing, ProgressListener log) {
        RowWorker.Computed c = RowWorker.computeRow(id, config, s, base, baseCost, data, trainer, folder, paper, log);
        if (c == null || c.network() == null) {
            return c == null ? null : c.row();
        }
        try (Network compressed = c.network(); NDManager m = Devices.newManager();
                BuiltNetwork built = compressed.build(m)) {
            return Rows.timed(c.row(), timing.pair(id, base, baseBuilt, compressed, built));
        }
    }

    /**
     * Times a row another executor computed, on this machine: its network from {@code networks/ROW.*}, which
     * the worker saved, alternating with the backbone as every row is. The saved files are removed again unless
     * the plan keeps networks.
     */
    private static ResultRow timeSaved(ResultRow computed, Network base, BuiltNetwork baseBuilt, RunFolder folder,
            ExperimentSettings s, RowTiming timing) {
        Path spec = folder.networks().resolve(computed.id() + ".spec.json");
        ResultRow r;
        try (Network n = Network.load(spec); NDManager m = Devices.newManager(); BuiltNetwork built = n.build(m)) {
            r = Rows.timed(computed, timing.pair(computed.id(), base, baseBuilt, n, built));
        }
        if (!s.keepNetworks()) {
            try {
                Files.deleteIfExists(spec);
                Files.deleteIfExists(folder.networks().resolve(computed.id() + ".params"));
            } catch (IOException e) {
                // left behind: harmless
            }
        }
        return r;
    }

    /**
     * Returns the executor {@code run.executor} selects: null for {@code local} (the runner's own loop), else
     * the {@link RowExecutor} with that id on the class path.
     *
     * @param s the settings
     * @return the executor, or null
     * @throws InvalidSettingException naming {@code run.executor} when none has that id
     */
    static RowExecutor executor(ExperimentSettings s) {
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

    private Network backbone(ExperimentSettings s, NetworkSpec spec, int classes, RunData data, NetworkTrainer trainer,
            RunFolder folder, boolean resume, ProgressListener log, Network preloaded) {
        Path saved = folder.savedBackbone();
        if (resume && Files.exists(saved)) {
            log.message("resume: loading the trained backbone from " + saved);
            return Network.load(saved);
        }
        if (preloaded != null) {
            Network loaded = preloaded;
            log.message("backbone: loaded from " + s.backboneWeights());
            if (data == null || s.train() == null) {
                try {
                    loaded.save(folder.networks(), "backbone");
                } catch (RuntimeException e) {
                    loaded.close();
                    throw e;
                }
                return loaded;
            }
            NetworkTrainer t = rowTrainer(trainer, s, folder, "backbone", "backbone");
            try (loaded) {
                Network tuned = t.train("fine-tune " + spec.name() + " from " + s.backboneWeights(), loaded,
                        data.train(), s.train()).network();
                tuned.save(folder.networks(), "backbone");
                folder.deleteCheckpoints("backbone");
                return tuned;
            }
        }
        if (data == null || s.train() == null) {
            return Network.random(spec, classes, s.seed());
        }
        NetworkTrainer t = rowTrainer(trainer, s, folder, "backbone", "backbone");
        try (Network init = Network.random(spec, classes, s.seed())) {
            Network trained = t.train("train " + spec.name(), init, data.train(), s.train()).network();
            trained.save(folder.networks(), "backbone");
            folder.deleteCheckpoints("backbone");
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

    /** The trainer for one row: checkpointing into the row's folder unless the settings turn it off. */
    private static NetworkTrainer rowTrainer(NetworkTrainer trainer, ExperimentSettings s, RunFolder folder,
            String row, String scope) {
        return folder.rowTrainer(trainer, s.checkpoints(), row, scope, Duration.ofSeconds(s.checkpointSeconds()));
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

package org.waecompress.experiments.harness;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.waecompress.backbones.Backbones;
import org.waecompress.experiments.config.ExperimentConfig;
import org.waecompress.experiments.config.ExperimentSettings;
import org.waecompress.experiments.measure.LatencyEngine;
import org.waecompress.experiments.onnx.OrtNetwork;
import org.waecompress.experiments.report.Tables;
import org.waecompress.experiments.result.PaperReference;
import org.waecompress.experiments.result.ResultRow;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.train.Accuracy;
import org.waecompress.spi.train.Evaluator;
import org.waecompress.spi.train.NetworkTrainer;
import org.waecompress.spi.train.Progress;
import org.waecompress.spi.train.ProgressListener;

/**
 * Runs an experiment plan, and only orchestrates: it checks the plan ({@link PlanCheck}), takes the run
 * folder's lock and checks a resume ({@link ResumeCheck}), writes provenance ({@link Provenance}), gets the
 * backbone ({@link BackboneSource}), then has every strategy row computed ({@link RowWorker}, here or by a
 * {@link RowExecutor}) and timed against the backbone ({@link RowTiming}), appending each row to
 * {@code results.jsonl} as it is done. It returns the rows and the table notes; the caller writes the
 * reports ({@code RunReport}) while the folder is still locked. With {@code resume}, stored rows are kept
 * and skipped.
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
     * @param meta the tables' title and notes
     */
    public record Outcome(Path dir, List<ResultRow> rows, Tables.Meta meta) {}

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
        List<String> ids = PlanCheck.validate(config, s);
        Devices.use(PlanCheck.devices(s));
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
                BackboneSource.checkUnchanged(plan, s, folder);
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
        // an ONNX backbone brings its layers, input shape and classes, which the data must match
        Network imported = BackboneSource.importOnnx(s, data, log);
        Shape input = imported != null ? imported.inputShape() : PlanCheck.inputShape(s, data);
        int classes = imported != null ? imported.classes()
                : data != null ? data.test().numClasses() : s.syntheticClasses();
        NetworkSpec backboneSpec = imported != null ? imported.spec()
                : Backbones.create(s.backbone(), input, classes, s.width());
        String dataDesc = data != null ? data.description()
                : "no data: architectures at " + input + " with " + (imported != null ? "the file's" : "random")
                        + " weights (accuracy not measured)";
        Network preloaded;
        try {
            if (needData) {
                s.finetune().augmentation().checkFits(input.get(1), input.get(2), "data.augment.shift");
            }
            PlanCheck.checkArchitectures(ids, config, s, backboneSpec);
            // a backbone file for another network is refused before the run folder records anything
            preloaded = imported != null ? BackboneSource.unlessSaved(imported, folder, resume)
                    : BackboneSource.preload(s, backboneSpec, classes, folder, resume);
        } catch (RuntimeException e) {
            if (imported != null) {
                imported.close();
            }
            throw e;
        }
        PaperReferences paper;
        try {
            JsonObject provenance = Provenance.withStrategySettings(Provenance.of(config, args, dataDesc, started,
                    s.latency()), PlanCheck.effectiveSettings(config, s));
            if (!s.backboneFile().isEmpty()) {
                Path wf = Path.of(s.backboneFile());
                if (Files.isRegularFile(wf)) {
                    Provenance.withBackboneWeights(provenance, wf, BackboneSource.sha256(wf));
                }
            }
            RunFolder.write(folder.provenance(), Provenance.text(plan == null ? provenance
                    : Provenance.withResume(plan, provenance, changed)));
            paper = s.paperReference() ? PaperReferences.load() : PaperReferences.none();
        } catch (RuntimeException e) {
            if (preloaded != null) {
                preloaded.close();
            }
            throw e;
        }
        RowExecutor executor = RowExecutor.select(s);
        NetworkTrainer trainer = new NetworkTrainer(log);
        List<ResultRow> rows = new ArrayList<>();
        Progress overall = new Progress(log, "run " + s.name() + " (rows)", ids.size() + 1, 0);
        long trainStart = System.nanoTime();
        try (Network base = BackboneSource.acquire(s, backboneSpec, classes, data, trainer, folder, resume, log,
                preloaded);
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
                        paper.of(s.backboneLabel(), "backbone"), Map.of());
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
                                paper.of(s.backboneLabel(), id), timing, log);
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
}

package org.waecompress.experiments.harness;

import ai.djl.ndarray.NDManager;
import com.google.inject.Injector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.waecompress.experiments.config.ExperimentConfig;
import org.waecompress.experiments.config.ExperimentSettings;
import org.waecompress.experiments.guice.HarnessModule;
import org.waecompress.experiments.result.PaperReference;
import org.waecompress.experiments.result.ResultRow;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.plugin.StrategyRegistry;
import org.waecompress.spi.spec.ChannelMultiple;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.train.Accuracy;
import org.waecompress.spi.train.Evaluator;
import org.waecompress.spi.train.NetworkTrainer;
import org.waecompress.spi.train.ProgressListener;
import org.waecompress.spi.train.TrainingDivergedException;

/**
 * Computes one strategy row up to its timing: compress (with the strategy's training), evaluate on the test
 * set, count the cost. The runner calls it for every row of a local run and times the result at once; a
 * remote executor's task calls {@link #compute(Map, Path, String, ProgressListener)}, which rebuilds the run
 * from its plan and folder in whatever JVM it runs in, and saves the row's network for the driver to time.
 */
public final class RowWorker {

    private RowWorker() {}

    /**
     * A computed row: the row without timings, and its network (null for a failed row).
     *
     * @param row the row, its timings empty
     * @param network the compressed network, which the caller closes
     */
    record Computed(ResultRow row, Network network) {}

    /**
     * Computes a row in this JVM for a remote executor: loads the plan's strategies (the plugins on this JVM's
     * class path), its data and the trained backbone from the run folder, computes the row and saves its
     * network as {@code networks/ROW.spec.json} and {@code ROW.params} (written atomically, so a retried task
     * rewrites the same files).
     *
     * @param plan the run's whole configuration, key to value
     * @param runDir the run folder (shared with the driver)
     * @param id the row's id
     * @param log where progress goes
     * @return the row without timings (a failed row when training diverged), or null for a row skipped because
     *     the plan measures no accuracy and the strategy's architecture needs data
     */
    public static ResultRow compute(Map<String, String> plan, Path runDir, String id, ProgressListener log) {
        Injector injector = StrategyRegistry.injector(new HarnessModule(log));
        StrategyRegistry registry = injector.getInstance(StrategyRegistry.class);
        ExperimentConfig config = ExperimentConfig.load(plan, null, null, new Properties(), registry);
        ExperimentSettings s = ExperimentSettings.from(config);
        Devices.use(PlanCheck.devices(s));
        RunFolder folder = new RunFolder(runDir);
        if (!Files.isRegularFile(folder.savedBackbone())) {
            throw new CompressionException(folder.savedBackbone() + ": the trained backbone is not there; the run "
                    + "folder must be one every executor reads (a shared file system path)");
        }
        RunData data = s.accuracy() ? RunData.load(s) : null;
        PaperReferences paper = s.paperReference() ? PaperReferences.load() : PaperReferences.none();
        try (Network base = Network.load(folder.savedBackbone())) {
            Computed c = computeRow(id, config, s, base, CostReport.of(base.spec()), data, new NetworkTrainer(log),
                    folder, paper.of(s.backboneLabel(), id), log);
            if (c == null) {
                return null;
            }
            if (c.network() != null) {
                try (Network n = c.network()) {
                    n.save(folder.networks(), id);
                }
            }
            return c.row();
        }
    }

    /**
     * Computes a row: the strategy's {@code compress} (or, without accuracy, its architecture with random
     * weights), the test-set accuracy and the cost.
     *
     * @param id the row's id
     * @param config the plan
     * @param s its settings
     * @param base the trained backbone
     * @param baseCost its cost
     * @param data the data, or null without accuracy
     * @param trainer the run's trainer
     * @param folder the run folder (checkpoints)
     * @param paper the paper's numbers for the row, or null
     * @param log where progress goes
     * @return the row and its network, a failed row without network, or null for a skipped row
     */
    static Computed computeRow(String id, ExperimentConfig config, ExperimentSettings s, Network base,
            CostReport baseCost, RunData data, NetworkTrainer trainer, RunFolder folder, PaperReference paper,
            ProgressListener log) {
        CompressionStrategy strategy = config.strategies().get(id);
        Map<String, String> settings = new TreeMap<>();
        config.strategy(id).getKeys().forEachRemaining(k -> settings.put(k, config.strategy(id).getString(k)));
        // channelMultiple = auto depends on the CPU's block: a checkpoint from a CPU with another block is not reused
        NetworkTrainer rowTrainer = folder.rowTrainer(trainer, s.checkpoints(), id, "strategy " + id + " " + settings
                + " channelBlock " + ChannelMultiple.runtimeBlock(),
                Duration.ofSeconds(s.checkpointSeconds()));
        CompressionContext ctx = new CompressionContext(id, config.strategy(id), s.seed(),
                data == null ? null : data.train(), rowTrainer, s.finetune(), log, folder.dir());
        long t0 = System.nanoTime();
        Network compressed;
        if (s.accuracy()) {
            try {
                compressed = strategy.compress(base, ctx);
            } catch (TrainingDivergedException e) {
                log.message(id + ": failed: " + e.getMessage() + "; the row is recorded as failed and the other rows "
                        + "run");
                return new Computed(Rows.failed(id, dataFreeArchitecture(strategy, base, ctx), baseCost, s.latency(),
                        (System.nanoTime() - t0) / 1e9, settings, e), null);
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
        try (NDManager m = Devices.newManager(); BuiltNetwork built = compressed.build(m)) {
            if (s.keepNetworks()) {
                compressed.save(folder.networks(), id);
            }
            Accuracy acc = data == null ? null : new Evaluator(log).evaluate("test " + id, built, data.test(), 250);
            return new Computed(Rows.measured(id, id, id, compressed.spec(), baseCost, acc,
                    new RowTiming.Measured(List.of(), null, null, false), s.latency(), seconds, paper, settings),
                    compressed);
        } catch (RuntimeException e) {
            compressed.close();
            throw e;
        }
    }

    /** The architecture a strategy gives without data, or null where its data decides it. */
    private static NetworkSpec dataFreeArchitecture(CompressionStrategy strategy, Network base,
            CompressionContext ctx) {
        try {
            return strategy.architecture(base.spec(), ctx);
        } catch (RuntimeException e) {
            return null;
        }
    }
}

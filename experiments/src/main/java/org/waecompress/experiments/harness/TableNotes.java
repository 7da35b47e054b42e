package org.waecompress.experiments.harness;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.waecompress.experiments.config.ExperimentConfig;
import org.waecompress.experiments.config.ExperimentSettings;
import org.waecompress.experiments.measure.LatencyEngine;
import org.waecompress.experiments.measure.LatencySettings;
import org.waecompress.experiments.onnx.OnnxExport;
import org.waecompress.experiments.report.Tables;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.plugin.StackedStrategy;
import org.waecompress.spi.plugin.StrategyRegistry;
import org.waecompress.spi.setting.Setting;
import org.waecompress.spi.spec.ChannelMultiple;

/**
 * The prose under a run's table: what a reader needs to read its numbers (the data and budget, the latency
 * regime, each strategy's fine-tuning rate and what each strategy says of itself). Written from the plan
 * alone, before or after the rows run.
 */
final class TableNotes {

    private TableNotes() {}

    /**
     * Returns the table's caption and its run-wide notes: data, training budget, latency regime, how MACs
     * are counted, and where the paper's columns come from.
     *
     * @param s the run's settings
     * @param data what the data was
     * @param input the input shape
     * @param executor where the strategy rows were computed ({@link RowExecutor#describe}), or null when in
     *     this process
     * @return the caption and notes
     */
    static Tables.Meta meta(ExperimentSettings s, String data, Shape input, String executor) {
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
        String devices = deviceNote(s, Devices.all());
        if (devices != null) {
            notes.add(devices);
        }
        notes.add(latencyNote(s.latency(), input));
        if (executor != null) {
            notes.add("Executor: the strategy rows were computed as " + executor + ", each from the backbone "
                    + "saved in the run folder; every row's latency was "
                    + "then measured on the driver, one machine, as above (times taken on different executors would "
                    + "not be comparable).");
        }
        notes.add("MACs: convolution and linear multiply-accumulates per image (ThiNet's tables count 2 FLOPs per "
                + "MAC).");
        if (s.paperReference()) {
            notes.add("Paper columns: as reported by Chen et al. (AAAI 2018) for VGG16 on ImageNet (Intel i7 3.5 GHz); "
                    + "not measured here.");
        }
        String title = String.format(Locale.ROOT, "%s: %s", s.name(), s.backboneLabel()
                + (s.width() == 1.0 ? "" : " (width " + s.width() + ")"));
        return new Tables.Meta(title, notes);
    }

    /**
     * States where a run computed when that is not this machine's CPU alone: the devices, and for several the
     * batch split and the learning-rate rule of data-parallel training.
     *
     * @param s the settings
     * @param devices the run's devices
     * @return the note, or null on the CPU
     */
    static String deviceNote(ExperimentSettings s, List<Device> devices) {
        if (devices.size() == 1 && !devices.get(0).isGpu()) {
            return null;
        }
        String list = String.join(", ", devices.stream().map(Device::toString).toList());
        if (devices.size() == 1) {
            return "Device: training, evaluation and the PyTorch engine's latency on " + list + ".";
        }
        return String.format(Locale.ROOT, "Devices: %s. Training is data parallel: each batch (%d for the "
                + "strategies) is split into %d shards, one per device, each shard's gradient weighted by its share "
                + "and summed on %s, so the step and the learning rate are those of one device with the whole batch "
                + "(batch-norm normalises each shard on its own); evaluation and the PyTorch engine's latency run on "
                + "%s.", list, s.finetune().batchSize(), devices.size(), devices.get(0), devices.get(0));
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
                        + "it (opset " + OnnxExport.OPSET + ")" : "", Machine.cpuModel());
    }

    /**
     * States what each strategy says a reader must know about its rows built from its architecture alone
     * ({@link CompressionStrategy#architectureNote}; speed tables, random weights), equal clauses merged.
     */
    static String architectureNote(List<String> ids, ExperimentConfig config, ExperimentSettings s) {
        Map<String, List<String>> clauses = new LinkedHashMap<>();
        for (String id : ids) {
            String clause = config.strategies().get(id).architectureNote(PlanCheck.planContext(id, config,
                    s));
            if (clause != null) {
                clauses.computeIfAbsent(clause, c -> new ArrayList<>()).add(id);
            }
        }
        List<String> notes = new ArrayList<>();
        clauses.forEach((clause, who) -> notes.add(String.join(", ", who) + ": " + clause + "."));
        return notes.isEmpty() ? null : String.join(" ", notes);
    }

    /**
     * States each strategy's fine-tuning rate as a factor of the run's ({@code fineTuneRateFactor}: its
     * paper's default or the user's value), for the strategies that declare it, and what each
     * strategy says a reader must know ({@link CompressionStrategy#tableNote}), equal clauses merged.
     */
    static String strategyNote(List<String> ids, ExperimentConfig config, ExperimentSettings s) {
        StrategyRegistry registry = config.strategies();
        List<String> parts = new ArrayList<>();
        List<String> multiples = new ArrayList<>();
        Map<String, List<String>> clauses = new LinkedHashMap<>();
        for (String id : ids) {
            CompressionStrategy st = registry.get(id);
            CompressionContext ctx = PlanCheck.planContext(id, config, s);
            for (Setting<?> setting : st.settings()) {
                if (setting.name().equals(ChannelMultiple.NAME) && !Integer.valueOf(1).equals(ctx.get(setting))) {
                    Object m = ctx.get(setting);
                    multiples.add(id + " " + (Integer.valueOf(ChannelMultiple.AUTO).equals(m) ? "auto" : m));
                }
            }
            if (st instanceof StackedStrategy stack) {
                for (CompressionStrategy stage : stack.stages()) {
                    CompressionContext sc = PlanCheck.planContext(stage.id(), config, s);
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
        if (!multiples.isEmpty()) {
            int block = ChannelMultiple.runtimeBlock();
            notes.add("Channel counts and ranks rounded to multiples (strategy.ID.channelMultiple): "
                    + String.join(", ", multiples) + (multiples.stream().anyMatch(m -> m.endsWith(" auto"))
                    ? "; auto = " + block + ", the channel block of this CPU's kernels (ThiNet and Taylor: halved "
                    + "until narrower than the network's widest pruned layer; low-rank: per layer)" : "") + ".");
        }
        if (!parts.isEmpty()) {
            notes.add("Fine-tuning rate as a factor of the run's (strategy.ID.fineTuneRateFactor; ThiNet, Taylor and "
                    + "low-rank at their papers' 0.1x): " + String.join(", ", parts) + ".");
        }
        clauses.forEach((clause, who) -> notes.add(String.join(", ", who) + ": " + clause + "."));
        return notes.isEmpty() ? null : String.join(" ", notes);
    }
}

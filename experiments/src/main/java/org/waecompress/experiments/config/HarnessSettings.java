package org.waecompress.experiments.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.waecompress.backbones.Backbones;
import org.waecompress.spi.setting.Setting;

/**
 * Every harness setting, declared once with the SPI's {@link Setting} (name, type, default, allowed values,
 * meaning), as strategies declare theirs: {@link ExperimentConfig} takes the defaults and the checks from here,
 * {@link ExperimentSettings} reads the typed values, and {@code waec run --help}, {@code waec settings} and the
 * harness table of docs/configuration.md (generated, checked by a test) list them. Adding a setting is one
 * constant here, its entry in {@link #ALL} and, where the harness uses it, one read in {@link
 * ExperimentSettings}.
 */
public final class HarnessSettings {

    private HarnessSettings() {}

    /** {@code experiment.name}. */
    public static final Setting<String> NAME = Setting.text("experiment.name", "experiment",
            "run name (folder name, table caption)");
    /** {@code experiment.seed}. */
    public static final Setting<Integer> SEED = Setting.integer("experiment.seed", 42,
            "seed of initialisation, shuffling and synthetic data (up to 2147483647)").atLeast(0);
    /** {@code experiment.then}. */
    public static final Setting<String> THEN = Setting.text("experiment.then", "", "a plan run after this one, in "
            + "the subfolder of this run's folder named after it (the quick preset, the main job, runs "
            + "`speed-quick`: the 224 speed table); see below").allowing("a preset name or a plan file");
    /** {@code backbone.name}. */
    public static final Setting<String> BACKBONE = Setting.choice("backbone.name", "vgg16-bn-small", "the backbone",
            Backbones.all().keySet().stream().sorted().toArray(String[]::new));
    /** {@code backbone.width}. */
    public static final Setting<Double> WIDTH = Setting.real("backbone.width", 1.0,
            "width factor of the small-image backbones").atLeast(0.01).atMost(16);
    /** {@code backbone.input}. */
    public static final Setting<String> INPUT = Setting.text("backbone.input", "auto",
            "input shape (auto: the data's)").allowing("auto or CxHxW");
    /** {@code backbone.weights}. */
    public static final Setting<String> WEIGHTS = Setting.text("backbone.weights", "", "a trained backbone to "
            + "compress instead of training one: a `.safetensors` file with the backbone's parameter names (a "
            + "torchvision `state_dict`, see `docs/deploy.md`, or `SafeTensors.export`) or a `NAME.spec.json` that "
            + "waec saved; every tensor must match the backbone's (the first that does not is named); provenance "
            + "records the file's SHA-256; `train.epochs` then counts extra fine-tuning epochs and is 0 unless you "
            + "set it (empty: train the backbone)").allowing("path");
    /** {@code backbone.onnx}. */
    public static final Setting<String> ONNX_BACKBONE = Setting.text("backbone.onnx", "", "a trained CNN "
            + "classifier as an ONNX file (`torch.onnx.export`, tf2onnx, `waec export`) to compress instead of "
            + "`backbone.name`: its layers, weights, input shape and classes come from the file (docs/import.md); "
            + "the data's images and classes must match it; `train.epochs` is 0 unless you set it (empty: use "
            + "`backbone.name`)").allowing("path");
    /** {@code data.kind}. */
    public static final Setting<DataKind> DATA_KIND = Setting.choice("data.kind", DataKind.FASHION_MNIST,
            "the data set");
    /** {@code data.dir}. */
    public static final Setting<String> DATA_DIR = Setting.text("data.dir", "/usr/share/datasets/fashion-mnist",
            "Fashion-MNIST folder, or a folder holding `train/` and `val/` class folders").allowing("path");
    /** {@code data.trainSize}. */
    public static final Setting<Integer> TRAIN_SIZE = Setting.integer("data.trainSize", 0,
            "training images used, from the start (0 = all)").atLeast(0);
    /** {@code data.testSize}. */
    public static final Setting<Integer> TEST_SIZE = Setting.integer("data.testSize", 0,
            "test images used (0 = all)").atLeast(0);
    /** {@code data.synthetic.classes}. */
    public static final Setting<Integer> SYNTHETIC_CLASSES = Setting.integer("data.synthetic.classes", 10,
            "classes of the synthetic data").atLeast(2).atMost(1000);
    /** {@code data.synthetic.size}. */
    public static final Setting<Integer> SYNTHETIC_SIZE = Setting.integer("data.synthetic.size", 32,
            "height and width of synthetic images").atLeast(4).atMost(1024);
    /** {@code data.synthetic.channels}. */
    public static final Setting<Integer> SYNTHETIC_CHANNELS = Setting.integer("data.synthetic.channels", 1,
            "channels of synthetic images").atLeast(1).atMost(3);
    /** {@code data.folder.resize}. */
    public static final Setting<Integer> FOLDER_RESIZE = Setting.integer("data.folder.resize", 256,
            "image folders: short side after resizing").atLeast(8).atMost(4096);
    /** {@code data.folder.crop}. */
    public static final Setting<Integer> FOLDER_CROP = Setting.integer("data.folder.crop", 224,
            "image folders: centre crop").atLeast(8).atMost(4096);
    /** {@code data.augment.shift}. */
    public static final Setting<Integer> SHIFT = Setting.integer("data.augment.shift", 0, "training batches: "
            + "random translation of up to this many pixels per axis, border pixels repeated (0 = none)")
            .atLeast(0).atMost(64);
    /** {@code data.augment.flip}. */
    public static final Setting<Boolean> FLIP = Setting.flag("data.augment.flip", false,
            "training batches: random left-right mirror");
    /** {@code train.epochs}. */
    public static final Setting<Integer> TRAIN_EPOCHS = Setting.integer("train.epochs", 3,
            "backbone training epochs (0 = random weights)").atLeast(0);
    /** {@code train.batchSize}. */
    public static final Setting<Integer> TRAIN_BATCH = Setting.integer("train.batchSize", 128,
            "backbone batch size").atLeast(1);
    /** {@code train.learningRate}. */
    public static final Setting<Double> TRAIN_RATE = Setting.real("train.learningRate", 0.05,
            "backbone learning rate (SGD, momentum, cosine schedule)").above(0).atMost(10);
    /** {@code train.momentum}. */
    public static final Setting<Double> MOMENTUM = Setting.real("train.momentum", 0.9, "SGD momentum").atLeast(0)
            .atMost(0.999);
    /** {@code train.weightDecay}. */
    public static final Setting<Double> WEIGHT_DECAY = Setting.real("train.weightDecay", 0.0005,
            "weight decay (biases and batch-norm are not decayed)").atLeast(0).atMost(1);
    /** {@code finetune.epochs}. */
    public static final Setting<Integer> FINETUNE_EPOCHS = Setting.integer("finetune.epochs", 3,
            "training budget every strategy gets (each reads it as its fine-tune epochs unless told otherwise)")
            .atLeast(1);
    /** {@code finetune.batchSize}. */
    public static final Setting<Integer> FINETUNE_BATCH = Setting.integer("finetune.batchSize", 128,
            "strategies' batch size").atLeast(1);
    /** {@code finetune.learningRate}. */
    public static final Setting<Double> FINETUNE_RATE = Setting.real("finetune.learningRate", 0.05,
            "strategies' learning rate").above(0).atMost(10);
    /** {@code strategies}. */
    public static final Setting<String> STRATEGIES = Setting.text("strategies", "all", "which strategies get rows; "
            + "`thinet-70+wae` is one row that applies thinet-70, then wae to its network (each stage with its own "
            + "`strategy.<stage>.*` keys and fine-tuning, so budgets add; a stage tuned differently inside a stack "
            + "is a variant)").allowing("`all` or ids, comma-separated; `A+B` stacks (also after `all`: "
            + "`all,wae+int8`)");
    /** {@code device}. */
    public static final Setting<String> DEVICE = Setting.text("device", "auto", "where training, evaluation, "
            + "compression and the PyTorch engine's latency run: `auto` takes every GPU the engine sees, else the "
            + "CPU; `gpu` every GPU; `gpu:N,M` those GPUs (training splits each batch across them, see "
            + "docs/scale.md). A GPU needs the `cu118` build (README, \"GPU\"); provenance records the devices, the "
            + "CUDA runtime and the NVIDIA driver").allowing("auto, cpu, gpu, gpu:N, gpu:N,M");
    /** {@code run.executor}. */
    public static final Setting<String> EXECUTOR = Setting.text("run.executor", "local", "where the strategy rows "
            + "are computed: `local`, this process; `spark`, one Spark task per row on `spark.master` (the "
            + "`experiments/spark` module, which `./waec` adds for this value), every row then timed on the driver; "
            + "docs/scale.md").allowing("local, spark");
    /** {@code spark.master}. */
    public static final Setting<String> SPARK_MASTER = Setting.text("spark.master", "local[2]", "the Spark master "
            + "with `run.executor=spark` (`local[N,F]`: N threads, a failed task run up to F times)")
            .allowing("local[N], local[N,F], spark://HOST:PORT, k8s://https://HOST:PORT");
    /** {@code accuracy.enabled}. */
    public static final Setting<Boolean> ACCURACY = Setting.flag("accuracy.enabled", true,
            "train and evaluate (false: architectures with random weights, as speed tables need)");
    /** {@code accuracy.engine}. */
    public static final Setting<AccuracyEngine> ACCURACY_ENGINE = Setting.choice("accuracy.engine",
            AccuracyEngine.PYTORCH, "where "
            + "top-1/top-5 error is measured: the PyTorch engine (simulated int8 for int8 rows), ONNX Runtime on each "
            + "row's exported file (what deploys), or both side by side (ONNX Runtime's in the error columns, the "
            + "PyTorch engine's in `top-1 err PyTorch`; the table notes the largest difference over float and over "
            + "int8 rows)");
    /** {@code latency.engine}. */
    public static final Setting<String> LATENCY_ENGINE = Setting.choice("latency.engine", "onnxruntime", "where "
            + "latency is measured: ONNX Runtime on each row's exported file (`docs/deploy.md`), DJL's PyTorch "
            + "engine, or both side by side (columns per engine)", "onnxruntime", "pytorch", "both");
    /** {@code latency.gapMs}. */
    public static final Setting<Integer> GAP_MS = Setting.integer("latency.gapMs", 0, "idle milliseconds before "
            + "each timed run: the duty cycle (0 = back to back); tables and provenance state it").atLeast(0)
            .atMost(60000);
    /** {@code latency.threads}. */
    public static final Setting<Integer> THREADS = Setting.integer("latency.threads", 0, "ONNX Runtime's intra-op "
            + "threads (0 = as many as the PyTorch engine uses: `ai.djl.pytorch.num_threads`, else the core count)")
            .atLeast(0).atMost(1024);
    /** {@code latency.warmup}. */
    public static final Setting<Integer> WARMUP = Setting.integer("latency.warmup", 5, "untimed rounds first")
            .atLeast(0);
    /** {@code latency.runs}. */
    public static final Setting<Integer> RUNS = Setting.integer("latency.runs", 30,
            "timed rounds (median and p90 reported)").atLeast(1);
    /** {@code latency.batch}. */
    public static final Setting<Integer> BATCH = Setting.integer("latency.batch", 1,
            "batch size of the latency column").atLeast(1);
    /** {@code latency.throughputBatch}. */
    public static final Setting<Integer> THROUGHPUT_BATCH = Setting.integer("latency.throughputBatch", 16,
            "batch size of the throughput column").atLeast(1);
    /** {@code latency.forks}. */
    public static final Setting<Integer> FORKS = Setting.integer("latency.forks", 0, "fresh JVMs that each repeat "
            + "a row's timing, one after another; the row reports the median over them and the range of their "
            + "speed-ups (0 = time in this process; the speed preset uses 3)").atLeast(0).atMost(100);
    /** {@code output.dir}. */
    public static final Setting<String> OUTPUT_DIR = Setting.text("output.dir", "",
            "run folder (empty: `runs/NAME-TIMESTAMP`; `--out` sets it)").allowing("path");
    /** {@code output.keepNetworks}. */
    public static final Setting<Boolean> KEEP_NETWORKS = Setting.flag("output.keepNetworks", false,
            "save every compressed network (spec JSON + params)");
    /** {@code output.onnx}. */
    public static final Setting<Boolean> ONNX = Setting.flag("output.onnx", true, "write each row's network as "
            + "`networks/ROW.onnx`, checked against the PyTorch engine (the speed presets turn it off: their weights "
            + "are random); with `latency.engine` on ONNX Runtime the file is timed either way, from a scratch folder "
            + "when this is off");
    /** {@code output.checkpoints}. */
    public static final Setting<Boolean> CHECKPOINTS = Setting.flag("output.checkpoints", true, "save the training "
            + "state between epochs in `checkpoints/ROW/` (removed when the row is stored), so `--resume` continues "
            + "an unfinished row from its last saved epoch");
    /** {@code output.checkpointSeconds}. */
    public static final Setting<Integer> CHECKPOINT_SECONDS = Setting.integer("output.checkpointSeconds", 60,
            "least wall time between two checkpoints of one row: the row's training calls share the clock (the "
            + "epoch that crosses it is saved even in a short call), a call that trained for a tenth of it or more "
            + "saves its last epoch, and pruning strategies save their loop's stage (the network after a pruned "
            + "layer or step) on the same interval; a kill loses at most this long or one epoch, whichever is "
            + "longer (0: after every epoch and every stage)").atLeast(0);
    /** {@code report.paperReference}. */
    public static final Setting<Boolean> PAPER_REFERENCE = Setting.flag("report.paperReference", false,
            "add the WAE paper's reported top-5 error and speed-up, in columns labelled as the paper's");

    /** Every harness setting, in documentation order. */
    public static final List<Setting<?>> ALL = List.of(NAME, SEED, THEN, BACKBONE, WIDTH, INPUT, WEIGHTS,
            ONNX_BACKBONE, DATA_KIND,
            DATA_DIR, TRAIN_SIZE, TEST_SIZE, SYNTHETIC_CLASSES, SYNTHETIC_SIZE, SYNTHETIC_CHANNELS, FOLDER_RESIZE,
            FOLDER_CROP, SHIFT, FLIP, TRAIN_EPOCHS, TRAIN_BATCH, TRAIN_RATE, MOMENTUM, WEIGHT_DECAY, FINETUNE_EPOCHS,
            FINETUNE_BATCH, FINETUNE_RATE, STRATEGIES, DEVICE, EXECUTOR, SPARK_MASTER, ACCURACY, ACCURACY_ENGINE,
            LATENCY_ENGINE, GAP_MS, THREADS, WARMUP, RUNS, BATCH, THROUGHPUT_BATCH, FORKS, OUTPUT_DIR, KEEP_NETWORKS,
            ONNX, CHECKPOINTS, CHECKPOINT_SECONDS, PAPER_REFERENCE);

    private static final Map<String, Setting<?>> BY_NAME = new LinkedHashMap<>();

    static {
        ALL.forEach(s -> BY_NAME.put(s.name(), s));
    }

    /**
     * Returns every harness setting by key.
     *
     * @return key to setting, in documentation order
     */
    public static Map<String, Setting<?>> all() {
        return BY_NAME;
    }

    /**
     * Returns a setting's default as a configuration value ({@link Setting#defaultText()} is for listings:
     * it shows an empty text as "(empty)").
     *
     * @param s the setting
     * @return the value text
     */
    public static String defaultValue(Setting<?> s) {
        Object v = s.defaultValue();
        if (v instanceof Enum<?> e) {
            return Setting.word(e);
        }
        if (v instanceof Double d) {
            // as the defaults file of earlier versions wrote them (1.0, 0.05, 0.0005), so a resume compares equal
            return d == Math.rint(d) ? Double.toString(d)
                    : java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        }
        return String.valueOf(v);
    }

    /**
     * Returns the known key closest to a misspelt one (Levenshtein distance at most 3).
     *
     * @param key the unknown key
     * @param known candidate keys
     * @return the nearest key, or null
     */
    static String nearest(String key, Iterable<String> known) {
        String best = null;
        int bestD = 4;
        for (String k : known) {
            int d = distance(key, k);
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        return best;
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}

package org.waecompress.experiments.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.waecompress.backbones.Backbones;

/** Every experiment key the harness knows (strategy keys come from the installed strategies). */
public final class Keys {

    private static final Map<String, Key> KEYS = new LinkedHashMap<>();

    static {
        text("experiment.name", "a name for the run (folder name, table caption)");
        longInteger("experiment.seed", 0, "seed of initialisation, shuffling and synthetic data");
        text("experiment.then", "a preset or plan file run after this plan, in the subfolder of its run folder named "
                + "after it (empty = none); it takes the strategies, their settings and latency.engine/gapMs/threads "
                + "you gave this plan");
        choice("backbone.name", List.copyOf(Backbones.all().keySet().stream().sorted().toList()), "the backbone");
        real("backbone.width", 0.01, 16.0, "width factor of small-image backbones");
        text("backbone.input", "input shape CxHxW, or auto for the data's shape");
        text("backbone.weights", "a trained backbone to compress instead of training one: a .safetensors file (a "
                + "torchvision state_dict or SafeTensors.export) or a NAME.spec.json that waec saved (empty = train)");
        choice("data.kind", List.of("fashion-mnist", "synthetic", "folder"), "the data set");
        text("data.dir", "Fashion-MNIST folder, or image-folder root holding train/ and val/");
        integer("data.trainSize", 0, null, "training images used (0 = all)");
        integer("data.testSize", 0, null, "test images used (0 = all)");
        integer("data.synthetic.classes", 2, 1000, "classes of the synthetic data");
        integer("data.synthetic.size", 4, 1024, "height and width of the synthetic images");
        integer("data.synthetic.channels", 1, 3, "channels of the synthetic images");
        integer("data.folder.resize", 8, 4096, "image folders: short side after resizing");
        integer("data.folder.crop", 8, 4096, "image folders: centre crop size");
        integer("data.augment.shift", 0, 64, "training batches: random translation up to this many pixels (0 = none)");
        flag("data.augment.flip", "training batches: random left-right mirror");
        integer("train.epochs", 0, null, "epochs to train the backbone (0 = random weights, for speed tables); with "
                + "backbone.weights, extra fine-tuning epochs (0 unless you set it)");
        integer("train.batchSize", 1, null, "backbone training batch size");
        positive("train.learningRate", 10.0, "backbone training learning rate (cosine schedule)");
        real("train.momentum", 0.0, 0.999, "SGD momentum");
        real("train.weightDecay", 0.0, 1.0, "weight decay (not on biases and batch-norm)");
        integer("finetune.epochs", 1, null, "training budget each strategy gets");
        integer("finetune.batchSize", 1, null, "strategies' batch size");
        positive("finetune.learningRate", 10.0, "strategies' learning rate");
        text("strategies", "comma-separated strategy ids, or all");
        text("device", "where training, evaluation and the PyTorch engine's latency run: auto (every GPU the engine "
                + "sees, else the CPU), cpu, gpu (every GPU), gpu:N or gpu:N,M (training splits each batch across "
                + "the listed GPUs)");
        text("run.executor", "where the strategy rows are computed: local (this process) or spark (tasks of the "
                + "Spark executor module, on spark.master; latency is then measured on the driver)");
        text("spark.master", "the Spark master with run.executor=spark: local[N] (N worker threads in this JVM; "
                + "local[N,F] retries a failed task F-1 times), spark://HOST:PORT or k8s://https://HOST:PORT");
        flag("accuracy.enabled", "train and evaluate (false: architectures with random weights)");
        choice("accuracy.engine", List.of("pytorch", "onnxruntime", "both"), "where top-1/top-5 error is measured: "
                + "the PyTorch engine (simulated int8 for int8 rows), ONNX Runtime on each row's exported file (what "
                + "deploys), or both side by side");
        choice("latency.engine", List.of("onnxruntime", "pytorch", "both"),
                "where latency is measured: ONNX Runtime on "
                + "each row's exported file, DJL's PyTorch engine, or both side by side");
        integer("latency.gapMs", 0, 60000,
                "idle milliseconds before each timed run (0 = back to back): the duty cycle");
        integer("latency.threads", 0, 1024, "ONNX Runtime's intra-op threads (0 = as many as the PyTorch engine uses)");
        integer("latency.warmup", 0, null, "untimed rounds before timing");
        integer("latency.runs", 1, null, "timed rounds (median and p90 are reported)");
        integer("latency.batch", 1, null, "batch size of the latency figure");
        integer("latency.throughputBatch", 1, null, "batch size of the throughput figure");
        integer("latency.forks", 0, 100, "fresh JVMs that each repeat a row's timing, reported as the median over "
                + "them (0 = time in this process)");
        text("output.dir", "run folder (empty = runs/NAME-TIMESTAMP)");
        flag("output.keepNetworks", "save every compressed network (spec JSON + params) in the run folder");
        flag("output.onnx", "write each row's network as networks/ROW.onnx, checked against the PyTorch engine");
        flag("output.checkpoints", "save the training state between epochs (checkpoints/, removed when its row "
                + "is done), so --resume continues an unfinished row from its last saved epoch");
        integer("output.checkpointSeconds", 0, null, "least wall time between two checkpoints of one row (its "
                + "training calls and pruning stages share the clock; 0 = after every epoch and stage)");
        flag("report.paperReference", "add the WAE paper's reported top-5 error and speed-up columns");
    }

    private Keys() {}

    private static void put(Key k) {
        KEYS.put(k.name(), k);
    }

    private static void text(String n, String doc) {
        put(new Key(n, Key.Type.STRING, null, null, false, List.of(), doc));
    }

    private static void integer(String n, Integer min, Integer max, String doc) {
        // a Java int holds it: a larger value would pass the check and fail where it is read
        double top = max == null ? Integer.MAX_VALUE : max.doubleValue();
        put(new Key(n, Key.Type.INT, min == null ? null : min.doubleValue(), top, false, List.of(), doc));
    }

    /** An integer read as a long (the seed). */
    private static void longInteger(String n, long min, String doc) {
        put(new Key(n, Key.Type.INT, (double) min, null, false, List.of(), doc));
    }

    private static void real(String n, Double min, Double max, String doc) {
        put(new Key(n, Key.Type.DOUBLE, min, max, false, List.of(), doc));
    }

    /** A number above 0 (0 itself excluded) and at most {@code max}. */
    private static void positive(String n, double max, String doc) {
        put(new Key(n, Key.Type.DOUBLE, 0.0, max, true, List.of(), doc));
    }

    private static void flag(String n, String doc) {
        put(new Key(n, Key.Type.BOOL, null, null, false, List.of(), doc));
    }

    private static void choice(String n, List<String> allowed, String doc) {
        put(new Key(n, Key.Type.CHOICE, null, null, false, allowed, doc));
    }

    /**
     * Returns the known harness keys.
     *
     * @return key name to key, in documentation order
     */
    public static Map<String, Key> all() {
        return KEYS;
    }

    /**
     * Returns the known key closest to a misspelt one (Levenshtein distance at most 3).
     *
     * @param key the unknown key
     * @param known candidate keys
     * @return the nearest key, or null
     */
    public static String nearest(String key, Iterable<String> known) {
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

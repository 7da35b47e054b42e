package org.waecompress.experiments.config;

import java.util.Arrays;
import java.util.List;
import org.waecompress.experiments.measure.Latency;
import org.waecompress.experiments.measure.LatencyEngine;
import org.waecompress.experiments.measure.LatencySettings;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.train.Augmentation;
import org.waecompress.spi.train.TrainSettings;

/**
 * The harness's settings, typed, from a validated {@link ExperimentConfig} snapshot.
 *
 * @param name the run's name
 * @param seed the seed
 * @param backbone the backbone name
 * @param width the backbone width factor
 * @param input the input shape text, or {@code auto}
 * @param backboneWeights a trained backbone's file to load instead of training one, or empty
 * @param dataKind fashion-mnist, synthetic or folder
 * @param dataDir the data folder
 * @param trainSize training images (0 = all)
 * @param testSize test images (0 = all)
 * @param syntheticClasses classes of synthetic data
 * @param syntheticSize size of synthetic images
 * @param syntheticChannels channels of synthetic images
 * @param folderResize image folders: short side
 * @param folderCrop image folders: crop
 * @param train backbone training (epochs 0 = random weights)
 * @param finetune what each strategy gets
 * @param strategies the strategy ids, or {@code [all]}
 * @param accuracy whether to train and evaluate
 * @param accuracyEngine where accuracy is measured: {@code pytorch}, {@code onnxruntime} or {@code both}
 * @param latency how latency is measured (engines, runs, batches, forks, duty cycle, threads)
 * @param outputDir the run folder, or empty
 * @param keepNetworks whether to save compressed networks
 * @param onnx whether to write each row's network as an ONNX file
 * @param checkpoints whether training saves its state between epochs, for {@code --resume}
 * @param checkpointSeconds the least training time between two checkpoints of one training call
 * @param paperReference whether to add the paper's columns
 * @param device the device setting (auto, cpu, gpu, gpu:N or gpu:N,M; resolved by Devices.resolve)
 * @param executor where the strategy rows are computed ({@code local}, or a {@code RowExecutor}'s id)
 * @param sparkMaster the Spark master, for {@code run.executor=spark}
 */
public record ExperimentSettings(String name, long seed, String backbone, double width, String input,
        String backboneWeights, String dataKind,
        String dataDir, int trainSize, int testSize, int syntheticClasses, int syntheticSize, int syntheticChannels,
        int folderResize, int folderCrop, TrainSettings train, TrainSettings finetune, List<String> strategies,
        boolean accuracy, String accuracyEngine, LatencySettings latency, String outputDir, boolean keepNetworks,
        boolean onnx, boolean checkpoints, int checkpointSeconds, boolean paperReference, String device,
        String executor,
        String sparkMaster) {

    /**
     * Reads the settings from a snapshot.
     *
     * @param c the snapshot
     * @return the settings
     */
    public static ExperimentSettings from(ExperimentConfig c) {
        long seed = Long.parseLong(c.get("experiment.seed"));
        String weights = c.get("backbone.weights");
        int trainEpochs = i(c, "train.epochs");
        String epochsFrom = c.sources().get("train.epochs");
        if (!weights.isEmpty() && (epochsFrom.equals("defaults") || epochsFrom.startsWith("preset "))) {
            // a loaded backbone is fine-tuned only when the user asks for it
            trainEpochs = 0;
        }
        TrainSettings train = TrainSettings.builder().epochs(Math.max(1, trainEpochs))
                .batchSize(i(c, "train.batchSize")).learningRate(d(c, "train.learningRate"))
                .momentum(d(c, "train.momentum")).weightDecay(d(c, "train.weightDecay")).seed(seed)
                .augmentation(new Augmentation(i(c, "data.augment.shift"), b(c, "data.augment.flip"))).build();
        TrainSettings fine = train.toBuilder().epochs(i(c, "finetune.epochs")).batchSize(i(c, "finetune.batchSize"))
                .learningRate(d(c, "finetune.learningRate")).build();
        List<String> strategies = Arrays.stream(c.get("strategies").split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
        return new ExperimentSettings(c.get("experiment.name"), seed, c.get("backbone.name"), d(c, "backbone.width"),
                c.get("backbone.input"), weights, c.get("data.kind"), c.get("data.dir"), i(c, "data.trainSize"),
                i(c, "data.testSize"), i(c, "data.synthetic.classes"), i(c, "data.synthetic.size"),
                i(c, "data.synthetic.channels"), i(c, "data.folder.resize"), i(c, "data.folder.crop"),
                trainEpochs == 0 ? null : train, fine, strategies, b(c, "accuracy.enabled"),
                c.get("accuracy.engine"), latency(c),
                c.get("output.dir"), b(c, "output.keepNetworks"), b(c, "output.onnx"), b(c, "output.checkpoints"),
                i(c, "output.checkpointSeconds"),
                b(c, "report.paperReference"), c.get("device"), c.get("run.executor").trim(),
                c.get("run.executor").trim().equals("spark") ? sparkMaster(c.get("spark.master").trim())
                        : c.get("spark.master").trim());
    }

    private static final java.util.regex.Pattern LOCAL = java.util.regex.Pattern.compile(
            "local(\\[(\\d+|\\*)(,\\d+)?\\])?");
    private static final java.util.regex.Pattern STANDALONE = java.util.regex.Pattern.compile(
            "spark://([^/:,]+:\\d+)(,[^/:,]+:\\d+)*");
    private static final java.util.regex.Pattern K8S = java.util.regex.Pattern.compile(
            "k8s://(https?://)?([^/:]+)(:\\d+)?/?");

    /**
     * Checks a Spark master before anything trains: its form (local[N], local[N,F], spark://HOST:PORT,
     * k8s://https://HOST:PORT, yarn) and that its hosts resolve, so a wrong master is one line at the
     * start instead of Spark's stack trace after the backbone has trained.
     *
     * @param master the value of {@code spark.master}
     * @return the value
     * @throws InvalidSettingException naming the key when the form is wrong or a host does not resolve
     */
    static String sparkMaster(String master) {
        List<String> hosts = new java.util.ArrayList<>();
        java.util.regex.Matcher k8s = K8S.matcher(master);
        if (LOCAL.matcher(master).matches() || master.equals("yarn")) {
            return master;
        } else if (STANDALONE.matcher(master).matches()) {
            for (String hp : master.substring("spark://".length()).split(",")) {
                hosts.add(hp.substring(0, hp.lastIndexOf(':')));
            }
        } else if (k8s.matches()) {
            hosts.add(k8s.group(2));
        } else {
            throw new InvalidSettingException("spark.master", master, "expected local[N] (N worker threads), "
                    + "local[N,F], spark://HOST:PORT, k8s://https://HOST:PORT or yarn");
        }
        for (String h : hosts) {
            try {
                java.net.InetAddress.getByName(h);
            } catch (java.net.UnknownHostException e) {
                throw new InvalidSettingException("spark.master", master, "host '" + h + "' does not resolve; check "
                        + "the name, or use local[N] to run the tasks in this process");
            }
        }
        return master;
    }

    /**
     * Returns whether accuracy is measured on ONNX Runtime ({@code accuracy.engine} onnxruntime or both).
     *
     * @return true when each row's exported file is evaluated on the test images
     */
    public boolean accuracyOnOnnxRuntime() {
        return accuracy && !accuracyEngine.equals("pytorch");
    }

    /**
     * Returns whether accuracy is measured on the PyTorch engine ({@code accuracy.engine} pytorch or both).
     *
     * @return true when the built networks are evaluated on the test images
     */
    public boolean accuracyOnPyTorch() {
        return accuracy && !accuracyEngine.equals("onnxruntime");
    }

    private static LatencySettings latency(ExperimentConfig c) {
        int threads = i(c, "latency.threads");
        return new LatencySettings(LatencyEngine.parse(c.get("latency.engine")), i(c, "latency.warmup"),
                i(c, "latency.runs"), i(c, "latency.batch"), i(c, "latency.throughputBatch"), i(c, "latency.forks"),
                i(c, "latency.gapMs"), threads == 0 ? Latency.threads() : threads);
    }

    private static int i(ExperimentConfig c, String k) {
        return Integer.parseInt(c.get(k));
    }

    private static double d(ExperimentConfig c, String k) {
        return Double.parseDouble(c.get(k));
    }

    private static boolean b(ExperimentConfig c, String k) {
        return Boolean.parseBoolean(c.get(k));
    }
}

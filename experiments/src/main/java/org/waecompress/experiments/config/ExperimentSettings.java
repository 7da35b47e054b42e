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
 * @param backboneOnnx an ONNX file to import as the backbone instead of {@code backbone}, or empty
 * @param dataKind the data set
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
 * @param accuracyEngine where accuracy is measured
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
        String backboneWeights, String backboneOnnx, DataKind dataKind,
        String dataDir, int trainSize, int testSize, int syntheticClasses, int syntheticSize, int syntheticChannels,
        int folderResize, int folderCrop, TrainSettings train, TrainSettings finetune, List<String> strategies,
        boolean accuracy, AccuracyEngine accuracyEngine, LatencySettings latency, String outputDir,
        boolean keepNetworks, boolean onnx, boolean checkpoints, int checkpointSeconds, boolean paperReference,
        String device, String executor,
        String sparkMaster) {

    /**
     * Reads the settings from a snapshot.
     *
     * @param c the snapshot
     * @return the settings
     */
    public static ExperimentSettings from(ExperimentConfig c) {
        long seed = c.get(HarnessSettings.SEED);
        String weights = c.get(HarnessSettings.WEIGHTS);
        String onnx = c.get(HarnessSettings.ONNX_BACKBONE).trim();
        if (!onnx.isEmpty() && !weights.isEmpty()) {
            throw new InvalidSettingException(HarnessSettings.ONNX_BACKBONE.name(), onnx, "comes with its own "
                    + "weights; leave backbone.weights (" + weights + ") out");
        }
        int trainEpochs = c.get(HarnessSettings.TRAIN_EPOCHS);
        if ((!weights.isEmpty() || !onnx.isEmpty()) && !c.userSet(HarnessSettings.TRAIN_EPOCHS.name())) {
            // a loaded backbone is fine-tuned only when the user asks for it
            trainEpochs = 0;
        }
        TrainSettings train = TrainSettings.builder().epochs(Math.max(1, trainEpochs))
                .batchSize(c.get(HarnessSettings.TRAIN_BATCH)).learningRate(c.get(HarnessSettings.TRAIN_RATE))
                .momentum(c.get(HarnessSettings.MOMENTUM)).weightDecay(c.get(HarnessSettings.WEIGHT_DECAY)).seed(seed)
                .augmentation(new Augmentation(c.get(HarnessSettings.SHIFT), c.get(HarnessSettings.FLIP))).build();
        TrainSettings fine = train.toBuilder().epochs(c.get(HarnessSettings.FINETUNE_EPOCHS))
                .batchSize(c.get(HarnessSettings.FINETUNE_BATCH)).learningRate(c.get(HarnessSettings.FINETUNE_RATE))
                .build();
        List<String> strategies = Arrays.stream(c.get(HarnessSettings.STRATEGIES).split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
        String executor = c.get(HarnessSettings.EXECUTOR).trim();
        String master = c.get(HarnessSettings.SPARK_MASTER).trim();
        return new ExperimentSettings(c.get(HarnessSettings.NAME), seed, c.get(HarnessSettings.BACKBONE),
                c.get(HarnessSettings.WIDTH), c.get(HarnessSettings.INPUT), weights, onnx,
                c.get(HarnessSettings.DATA_KIND),
                c.get(HarnessSettings.DATA_DIR), c.get(HarnessSettings.TRAIN_SIZE), c.get(HarnessSettings.TEST_SIZE),
                c.get(HarnessSettings.SYNTHETIC_CLASSES), c.get(HarnessSettings.SYNTHETIC_SIZE),
                c.get(HarnessSettings.SYNTHETIC_CHANNELS), c.get(HarnessSettings.FOLDER_RESIZE),
                c.get(HarnessSettings.FOLDER_CROP), trainEpochs == 0 ? null : train, fine, strategies,
                c.get(HarnessSettings.ACCURACY), c.get(HarnessSettings.ACCURACY_ENGINE), latency(c),
                c.get(HarnessSettings.OUTPUT_DIR), c.get(HarnessSettings.KEEP_NETWORKS), c.get(HarnessSettings.ONNX),
                c.get(HarnessSettings.CHECKPOINTS), c.get(HarnessSettings.CHECKPOINT_SECONDS),
                c.get(HarnessSettings.PAPER_REFERENCE), c.get(HarnessSettings.DEVICE), executor,
                executor.equals("spark") ? sparkMaster(master) : master);
    }

    /**
     * Returns the file the backbone's weights come from: {@code backbone.weights} or {@code backbone.onnx}.
     *
     * @return the path, or empty when the backbone is trained
     */
    public String backboneFile() {
        return backboneOnnx.isEmpty() ? backboneWeights : backboneOnnx;
    }

    /**
     * Returns the backbone as tables and notes name it: {@code backbone.name}, or the ONNX file's name.
     *
     * @return the label
     */
    public String backboneLabel() {
        return backboneOnnx.isEmpty() ? backbone : java.nio.file.Path.of(backboneOnnx).getFileName().toString();
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
        return accuracy && accuracyEngine != AccuracyEngine.PYTORCH;
    }

    /**
     * Returns whether accuracy is measured on the PyTorch engine ({@code accuracy.engine} pytorch or both).
     *
     * @return true when the built networks are evaluated on the test images
     */
    public boolean accuracyOnPyTorch() {
        return accuracy && accuracyEngine != AccuracyEngine.ONNXRUNTIME;
    }

    private static LatencySettings latency(ExperimentConfig c) {
        int threads = c.get(HarnessSettings.THREADS);
        return new LatencySettings(LatencyEngine.parse(c.get(HarnessSettings.LATENCY_ENGINE)),
                c.get(HarnessSettings.WARMUP), c.get(HarnessSettings.RUNS), c.get(HarnessSettings.BATCH),
                c.get(HarnessSettings.THROUGHPUT_BATCH), c.get(HarnessSettings.FORKS), c.get(HarnessSettings.GAP_MS),
                threads == 0 ? Latency.threads() : threads);
    }
}

package org.waecompress.experiments.cli;

import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.commons.configuration2.MapConfiguration;
import org.waecompress.experiments.config.BadInputException;
import org.waecompress.experiments.config.ExperimentConfig;
import org.waecompress.experiments.config.ExperimentSettings;
import org.waecompress.experiments.data.ImageFolderDataset;
import org.waecompress.experiments.guice.HarnessModule;
import org.waecompress.experiments.harness.RunData;
import org.waecompress.experiments.harness.RunFolder;
import org.waecompress.experiments.onnx.OnnxCheck;
import org.waecompress.experiments.onnx.OnnxExport;
import org.waecompress.experiments.onnx.OrtNetwork;
import org.waecompress.experiments.report.ConsoleProgress;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.data.SyntheticImages;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.plugin.StrategyRegistry;
import org.waecompress.spi.setting.Setting;
import org.waecompress.spi.spec.QuantRole;
import org.waecompress.spi.train.NetworkTrainer;
import org.waecompress.spi.train.TrainSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code waec export}: writes a network as an ONNX file and checks that ONNX Runtime reproduces the
 * PyTorch engine's output on it before the file is moved into place.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a network to ONNX (opset " + OnnxExport.OPSET + "), checked against the PyTorch engine.")
final class ExportCommand implements Callable<Integer> {

    @Mixin
    NetworkTarget network;

    @Option(names = "--out", required = true, paramLabel = "FILE.onnx",
            description = "The file to write (its folder must exist).")
    Path out;

    @Option(names = "--weights", paramLabel = "W.safetensors",
            description = "Weights in torchvision's names (a state_dict saved with safetensors), imported before "
                    + "export; "
                    + "without it a backbone or architecture gets random weights.")
    Path weights;

    @Option(names = "--seed", defaultValue = "42",
            description = "Seed of random weights and of the check's input (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-check", description = "Skip running the file in ONNX Runtime against the PyTorch engine.")
    boolean noCheck;

    @Option(names = "--int8", description = "Quantize to int8 first (the int8 strategy: batch-norm folded, int8 "
            + "weights per channel, uint8 activations calibrated on images, int32 biases; docs/quantization.md).")
    boolean int8;

    @Option(names = "--calibration", paramLabel = "DIR", description = "With --int8: an image folder "
            + "(DIR/<class>/<image>) to calibrate on; default: the run's training images for a run folder, else "
            + "synthetic images, which suit timing only.")
    Path calibration;

    @Option(names = "--calibration-images", defaultValue = "512", paramLabel = "N",
            description = "With --int8: images drawn (seeded) to calibrate on (default ${DEFAULT-VALUE}).")
    int calibrationImages;

    @Option(names = "--calibrator", defaultValue = "percentile", paramLabel = "NAME",
            description = "With --int8: minmax, percentile or entropy (default ${DEFAULT-VALUE}).")
    String calibrator;

    @Override
    public Integer call() throws Exception {
        Path dir = out.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new BadInputException("--out " + out + ": folder " + dir + " does not exist; create it first");
        }
        if (Files.isDirectory(out)) {
            throw new BadInputException("--out " + out + ": is a folder; give a file name such as model.onnx");
        }
        if (!int8 && calibration != null) {
            throw new BadInputException("--calibration: calibration images are for --int8; add --int8 or leave it out");
        }
        try (Network loaded = network.network(weights, seed); Network net = int8 ? quantize(loaded) : loaded) {
            Path tmp;
            try {
                tmp = Files.createTempFile(dir, "." + out.getFileName(), ".tmp");
            } catch (IOException e) {
                throw new BadInputException("--out " + out + ": cannot write in " + dir + " (" + e.getClass()
                        .getSimpleName() + ": " + e.getMessage() + "); choose a folder you can write to");
            }
            try {
                long bytes = OnnxExport.write(net, tmp);
                String check = "not checked (--no-check)";
                if (!noCheck) {
                    OnnxCheck.Result r = OnnxCheck.compare(net, tmp, 1, seed, 1);
                    if (!r.passes()) {
                        throw new CompressionException(out + ": not written: ONNX Runtime does not reproduce the "
                                + "PyTorch engine's output: " + r.describe() + "; a node type's toOnnx lowering is "
                                + "wrong (docs/deploy.md)");
                    }
                    check = "checked against the PyTorch engine on ONNX Runtime " + OrtNetwork.version() + ": "
                            + r.describe();
                    if (network.isOnnxFile() && !int8) {
                        check += sourceCheck(loaded);
                    }
                }
                move(tmp, out);
                CostReport cost = CostReport.of(net.spec());
                System.out.printf(Locale.ROOT,
                        "wrote %s: %s, input (batch, %s), %s MACs, %s params, %.1f MB, opset %d, "
                        + "%s weights%n", out, net.spec().name(), shape(net), CostReport.human(cost.totalMacs()),
                        CostReport.human(cost.totalParams()), bytes / 1e6, OnnxExport.OPSET, origin());
                System.out.println(check);
                return 0;
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Compares the imported network with the file it came from, in ONNX Runtime; refuses to write on a mismatch. */
    private String sourceCheck(Network loaded) {
        OnnxCheck.Result r = OnnxCheck.compareWithSource(loaded, network.softmaxDropped, Path.of(network.target), 1,
                seed);
        if (!r.passes()) {
            throw new CompressionException(out + ": not written: the imported network does not compute what "
                    + network.target + " computes in ONNX Runtime: " + r.describe() + " (docs/import.md)");
        }
        return System.lineSeparator() + "imported network checked against " + network.target + " itself on ONNX "
                + "Runtime: " + r.describe();
    }

    /** Quantizes with the installed int8 strategy, on the calibration images this command was given. */
    private Network quantize(Network net) {
        if (net.spec().nodes().stream().noneMatch(v -> v.node().quantRole() == QuantRole.WEIGHTED)) {
            throw new BadInputException("--int8: " + network.target + " has no layer int8 can quantize (no "
                    + "convolution or linear layer); export it without --int8");
        }
        CompressionStrategy st = StrategyRegistry.discover().get("int8");
        Map<String, Object> settings = new HashMap<>();
        settings.put("calibrationImages", Integer.toString(calibrationImages));
        settings.put("calibrator", calibrator);
        ConsoleProgress log = ConsoleProgress.stderr();
        TrainSettings batches = TrainSettings.builder().batchSize(Math.max(1, Math.min(32, calibrationImages)))
                .seed(seed).build();
        st.checkSettings(new CompressionContext("int8", new MapConfiguration(settings), seed, null,
                new NetworkTrainer(log), batches, log, null));
        CompressionContext ctx = new CompressionContext("int8", new MapConfiguration(settings), seed,
                calibrationImages(net), new NetworkTrainer(log), batches, log, null);
        return st.compress(net, ctx);
    }

    private ImageDataset calibrationImages(Network net) {
        Shape in = net.inputShape();
        if (calibration != null) {
            int side = (int) in.get(1);
            ImageDataset d = ImageFolderDataset.open(calibration, (int) Math.round(side * 256.0 / 224), side);
            if (!d.sampleShape().equals(in)) {
                throw new BadInputException("--calibration " + calibration + ": its images load as " + d.sampleShape()
                        + " but the network reads " + in + "; give images with the network's channels");
            }
            return d;
        }
        Path run = Path.of(network.target);
        if (Files.isDirectory(run)) {
            Map<String, String> pairs = SensitivityCommand.runKeys(new RunFolder(run).provenance());
            StrategyRegistry registry = StrategyRegistry.injector(new HarnessModule(null))
                    .getInstance(StrategyRegistry.class);
            ExperimentSettings s = ExperimentSettings.from(ExperimentConfig.load(pairs, null, null,
                    System.getProperties(), registry));
            System.err.println("waec export: calibrating on the run's training images (" + Setting.word(s.dataKind())
                    + ")");
            return RunData.load(s).train();
        }
        System.err.println("waec export: no --calibration folder: calibrating on synthetic images, which give scales "
                + "for timing only; pass --calibration DIR for a file to deploy");
        return SyntheticImages.create(seed, calibrationImages, in, 10, 0.1);
    }

    private String origin() {
        if (network.isOnnxFile()) {
            return "imported (" + Path.of(network.target).getFileName() + ")";
        }
        if (network.isSaved()) {
            return "saved";
        }
        return weights == null ? "random (seed " + seed + ")" : "imported (" + weights.getFileName() + ")";
    }

    private static String shape(Network net) {
        long[] d = net.inputShape().getShape();
        return d[0] + ", " + d[1] + ", " + d[2];
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}

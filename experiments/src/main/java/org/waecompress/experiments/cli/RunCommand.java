package org.waecompress.experiments.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.waecompress.backbones.Backbones;
import org.waecompress.experiments.data.FashionMnist;
import org.waecompress.experiments.measure.Latency;
import org.waecompress.experiments.report.ConsoleProgress;
import org.waecompress.experiments.report.TextTable;
import org.waecompress.spi.InvalidSettingException;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.data.ArrayImageDataset;
import org.waecompress.spi.data.ImageDataset;
import org.waecompress.spi.io.AtomicFiles;
import org.waecompress.spi.network.BuiltNetwork;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.train.Accuracy;
import org.waecompress.spi.train.NetworkTrainer;
import org.waecompress.spi.train.TrainResult;
import org.waecompress.spi.train.TrainSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code waec run}: the main job. Trains the small VGG-16-BN backbone on Fashion-MNIST (padded to
 * 32x32), evaluates it on the 10,000 test images, times it on the CPU and prints a one-row table.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Train the small VGG-16-BN backbone on Fashion-MNIST and print its accuracy, cost and CPU latency.")
final class RunCommand implements Callable<Integer> {

    @Option(names = "--data-dir", description = "Folder with the Fashion-MNIST IDX files (default ${DEFAULT-VALUE}).",
            defaultValue = "/usr/share/datasets/fashion-mnist")
    Path dataDir;

    @Option(names = "--train-size", defaultValue = "10000",
            description = "Training images used, from the start of the 60,000 (default ${DEFAULT-VALUE}).")
    int trainSize;

    @Option(names = "--epochs", defaultValue = "3", description = "Training epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--width", defaultValue = "0.25",
            description = "Width factor of the VGG-16-BN backbone (default ${DEFAULT-VALUE}).")
    double width;

    @Option(names = "--batch-size", defaultValue = "128", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "0.05", description = "Initial learning rate, cosine schedule (default ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--seed", defaultValue = "42", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--latency-runs", defaultValue = "30", description = "Timed runs at batch 1 (default ${DEFAULT-VALUE}).")
    int latencyRuns;

    @Option(names = "--out", description = "Folder for table.md and the trained network (optional).")
    Path out;

    @Override
    public Integer call() throws IOException {
        InvalidSettingException.check(trainSize >= 2 && trainSize <= 60000, "--train-size", trainSize,
                "must be in [2, 60000]");
        InvalidSettingException.check(latencyRuns >= 1, "--latency-runs", latencyRuns, "must be >= 1");
        if (out != null) {
            checkWritable(out);
        }
        ConsoleProgress progress = ConsoleProgress.stderr();
        FashionMnist.Options opts = new FashionMnist.Options(true, true);
        ArrayImageDataset fullTrain = FashionMnist.load(dataDir, FashionMnist.Split.TRAIN, opts);
        ImageDataset train = fullTrain.head(trainSize);
        ImageDataset test = FashionMnist.load(dataDir, FashionMnist.Split.TEST, opts);
        TrainSettings settings = TrainSettings.builder().epochs(epochs).batchSize(batchSize)
                .learningRate(learningRate).seed(seed).build();
        NetworkSpec spec = Backbones.create("vgg16-bn-small", test.sampleShape(), test.numClasses(), width);
        CostReport cost = CostReport.of(spec);
        progress.message(String.format(Locale.ROOT, "%s: %s params, %s MACs; training on %d of %d images, %d epochs",
                spec.name(), CostReport.human(cost.totalParams()), CostReport.human(cost.totalMacs()), train.size(),
                fullTrain.size(), epochs));
        NetworkTrainer trainer = new NetworkTrainer(progress);
        long t0 = System.nanoTime();
        try (Network init = Network.random(spec, test.numClasses(), seed)) {
            TrainResult result = trainer.train("train " + spec.name(), init, train, settings);
            double trainSeconds = (System.nanoTime() - t0) / 1e9;
            try (Network trained = result.network(); NDManager m = NDManager.newBaseManager();
                    BuiltNetwork built = trained.build(m)) {
                Accuracy acc = trainer.evaluate("test", built, test, 500);
                Latency.Stats lat = Latency.alternate(List.of(built), 1, 5, latencyRuns, progress).get(0);
                TextTable table = new TextTable(List.of("model", "train images", "epochs", "test images",
                        "top-1 err (%)", "top-5 err (%)", "MACs", "params", "CPU ms (median)", "CPU ms (p90)"),
                        false, true, true, true, true, true, true, true, true, true);
                table.row(List.of(spec.name(), Integer.toString(train.size()), Integer.toString(epochs),
                        Integer.toString(acc.samples()), pct(acc.top1Error()), pct(acc.top5Error()),
                        CostReport.human(cost.totalMacs()), CostReport.human(cost.totalParams()),
                        String.format(Locale.ROOT, "%.2f", lat.medianMs()),
                        String.format(Locale.ROOT, "%.2f", lat.p90Ms())));
                String env = String.format(Locale.ROOT,
                        "Fashion-MNIST padded to 32x32; %s %s, %d intra-op threads, batch 1, %d timed runs after 5 "
                                + "warm-up; training took %.0f s; seed %d; %s.",
                        Engine.getInstance().getEngineName(), Engine.getInstance().getVersion(), Latency.threads(),
                        latencyRuns, trainSeconds, seed, Instant.now());
                String md = table.toMarkdown() + "\n" + env + "\n";
                System.out.println();
                System.out.print(md);
                if (out != null) {
                    AtomicFiles.writeString(out.resolve("table.md"), md);
                    trained.save(out, spec.name());
                }
            }
        }
        return 0;
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.2f", 100 * v);
    }

    static void checkWritable(Path dir) {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".probe", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new BadInputException("--out " + dir + ": folder is not writable (" + e.getMessage()
                    + "); choose another folder");
        }
    }
}

package org.waecompress.experiments.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.waecompress.experiments.config.BadInputException;
import org.waecompress.experiments.onnx.OnnxCheck;
import org.waecompress.experiments.onnx.OnnxExport;
import org.waecompress.experiments.onnx.OrtNetwork;
import org.waecompress.spi.CompressionException;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.network.Network;
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

    @Override
    public Integer call() throws Exception {
        Path dir = out.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new BadInputException("--out " + out + ": folder " + dir + " does not exist; create it first");
        }
        if (Files.isDirectory(out)) {
            throw new BadInputException("--out " + out + ": is a folder; give a file name such as model.onnx");
        }
        try (Network net = network.network(weights, seed)) {
            Path tmp = Files.createTempFile(dir, "." + out.getFileName(), ".tmp");
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

    private String origin() {
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

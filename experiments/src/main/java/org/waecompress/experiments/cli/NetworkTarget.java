package org.waecompress.experiments.cli;

import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import org.apache.commons.configuration2.MapConfiguration;
import org.waecompress.backbones.Backbones;
import org.waecompress.backbones.SafeTensors;
import org.waecompress.experiments.config.BadInputException;
import org.waecompress.experiments.config.InputShapes;
import org.waecompress.experiments.harness.RunFolder;
import org.waecompress.experiments.onnx.OnnxImport;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.error.CompressionException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.plugin.StrategyRegistry;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SpecJson;
import org.waecompress.spi.train.NetworkTrainer;
import org.waecompress.spi.train.TrainSettings;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The network a command works on, as {@code inspect} and {@code export} take it: a backbone name,
 * {@code STRATEGY-on-BACKBONE} (the strategy's architecture), a saved {@code NAME.spec.json}, or a
 * run folder (with {@code --row}).
 */
final class NetworkTarget {

    @Parameters(index = "0", paramLabel = "NETWORK",
            description = "A backbone name (vgg16, vgg16-bn, vgg16-ceil, resnet50, vgg16-bn-small, resnet20, "
                    + "resnet56), "
                    + "STRATEGY-on-BACKBONE (e.g. wae-on-vgg16), a saved NAME.spec.json, or a run folder (see --row).")
    String target;

    @Option(names = "--input", paramLabel = "CxHxW",
            description = "Input shape, e.g. 3x112x112 (default: the backbone's).")
    String input;

    @Option(names = "--classes", description = "Number of classes (default: the backbone's).")
    Integer classes;

    @Option(names = "--width", defaultValue = "1.0",
            description = "Width factor of small-image backbones (default ${DEFAULT-VALUE}).")
    double width;

    @Option(names = {"--set", "--setting"}, paramLabel = "KEY=VALUE", description = "A setting of the strategy "
            + "in STRATEGY-on-BACKBONE, as waec run takes it (strategy.thinet.ratio=0.5) or without strategy.ID. "
            + "(ratio=0.5, channelMultiple=8); repeat for more; waec strategies lists them.")
    java.util.List<String> settings = new java.util.ArrayList<>();

    @Option(names = "--row", paramLabel = "ROW", defaultValue = "backbone",
            description = "With a run folder: the row whose saved network to use (default ${DEFAULT-VALUE}).")
    String row;

    /** Whether the ONNX file {@link #network} imported ended in a Softmax it dropped. */
    boolean softmaxDropped;

    /**
     * Returns the target's spec without loading weights.
     *
     * @return the spec
     * @throws Exception if a file cannot be read
     */
    NetworkSpec spec() throws Exception {
        if (!settings.isEmpty() && (isSaved() || !target.contains("-on-"))) {
            throw new BadInputException("--set " + settings.get(0) + ": " + target + " is not "
                    + "STRATEGY-on-BACKBONE; settings shape a strategy's architecture, such as thinet-on-vgg16 "
                    + "--set ratio=0.5");
        }
        if (isOnnxFile()) {
            if (input != null) {
                throw new BadInputException("--input: " + target + " is an ONNX file; its input shape is fixed ("
                        + "export it again for another)");
            }
            try (OnnxImport.Imported i = imported(target)) {
                return i.network().spec();
            }
        }
        Path saved = savedSpec();
        if (saved != null) {
            NetworkSpec s = SpecJson.fromJson(Files.readString(saved), saved.toString());
            return input == null ? s : s.withInputShape(parseShape(input));
        }
        String backbone = target;
        String strategy = null;
        int on = target.indexOf("-on-");
        if (on > 0) {
            strategy = target.substring(0, on);
            backbone = target.substring(on + 4);
        }
        NetworkSpec b;
        if (isOnnx(backbone)) {
            if (input != null) {
                throw new BadInputException("--input: " + backbone + " is an ONNX file; its input shape is fixed");
            }
            try (OnnxImport.Imported i = imported(backbone)) {
                b = i.network().spec();
            }
        } else {
            b = backboneSpec(backbone);
        }
        if (strategy == null) {
            return b;
        }
        CompressionStrategy st = StrategyRegistry.discover().get(strategy);
        HashMap<String, Object> values = new HashMap<>();
        for (String kv : settings) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new BadInputException("--set " + kv + ": expected KEY=VALUE, such as ratio=0.5");
            }
            String given = kv.substring(0, eq).trim();
            String own = "strategy." + strategy + ".";
            if (given.startsWith("strategy.") && !given.startsWith(own)) {
                throw new BadInputException("--set " + kv + ": the strategy here is " + strategy + "; its keys are "
                        + own + "NAME (or NAME alone)");
            }
            String key = given.startsWith(own) ? given.substring(own.length()) : given;
            if (st.settings().stream().noneMatch(d -> d.name().equals(key))) {
                throw new BadInputException("--set " + kv + ": " + strategy + " has no setting '" + key
                        + "'; its settings: " + String.join(", ", st.settings().stream().map(d -> d.name())
                        .toList()));
            }
            values.put(key, kv.substring(eq + 1).trim());
        }
        CompressionContext ctx = new CompressionContext(strategy, new MapConfiguration(values),
                42, null, new NetworkTrainer(null), TrainSettings.builder().build(), null, null);
        try {
            return st.architecture(b, ctx);
        } catch (UnsupportedOperationException | org.waecompress.spi.error.InvalidSettingException ex) {
            throw new BadInputException(target + ": " + ex.getMessage());
        }
    }

    private NetworkSpec backboneSpec(String backbone) {
        Backbones.Entry e = Backbones.get(backbone);
        Shape in = input == null ? e.defaultInput() : parseShape(input);
        if (!(width >= 0.01 && width <= 16)) {
            throw new BadInputException("--width " + width + ": expected a number in [0.01, 16] (as backbone.width), "
                    + "the factor of a small-image backbone's channels");
        }
        if (classes != null && (classes < 1 || classes > 1_000_000)) {
            throw new BadInputException("--classes " + classes + ": expected a number of classes in [1, 1000000]");
        }
        return e.factory().create(in, classes == null ? e.defaultClasses() : classes, width);
    }

    /**
     * Returns whether the target is an ONNX file itself (not STRATEGY-on-FILE.onnx).
     *
     * @return true for a file to import
     */
    boolean isOnnxFile() {
        return isOnnx(target) && (Files.exists(Path.of(target)) || !target.contains("-on-"));
    }

    static boolean isOnnx(String name) {
        return name.toLowerCase(java.util.Locale.ROOT).endsWith(".onnx");
    }

    /**
     * Imports an ONNX file, printing what the import notes.
     *
     * @param file the file
     * @return the imported network
     */
    static OnnxImport.Imported imported(String file) {
        OnnxImport.Imported i = OnnxImport.read(Path.of(file));
        i.notes().forEach(n -> System.err.println("import: " + n));
        return i;
    }

    /**
     * Returns whether the target is a saved network (a spec file, a run folder or an ONNX file) with its own
     * weights.
     *
     * @return true for a saved network
     */
    boolean isSaved() {
        return target.endsWith(".json") || isOnnxFile() || Files.isDirectory(Path.of(target));
    }

    /**
     * Returns the target with weights: a saved network's own, those of a safetensors file in
     * torchvision's names, or random ones.
     *
     * @param weights a safetensors file, or null
     * @param seed the seed of random weights
     * @return the network; close it when done
     * @throws Exception if a file cannot be read
     */
    Network network(Path weights, long seed) throws Exception {
        if (isSaved()) {
            if (weights != null) {
                throw new BadInputException("--weights: " + target + " is a saved network with its own weights; "
                        + "give a backbone or STRATEGY-on-BACKBONE to import weights into");
            }
            if (input != null) {
                throw new BadInputException("--input: " + target + " is a saved network; its input shape is fixed");
            }
            if (isOnnxFile()) {
                OnnxImport.Imported i = imported(target);
                softmaxDropped = i.softmaxDropped();
                return i.network();
            }
            Path spec = savedSpec();
            try {
                return Network.load(spec);
            } catch (CompressionException e) {
                throw new BadInputException(e.getMessage());
            }
        }
        NetworkSpec spec = spec();
        int n = (int) spec.outputShape().get(0);
        if (weights == null) {
            return Network.random(spec, n, seed);
        }
        if (!Files.isRegularFile(weights) || !Files.isReadable(weights)) {
            throw new BadInputException("--weights " + weights + ": file not found or not readable");
        }
        try {
            return SafeTensors.importInto(spec, n, weights);
        } catch (CompressionException e) {
            throw new BadInputException("--weights " + e.getMessage());
        }
    }

    /** The saved spec file the target names, or null for a backbone or architecture name. */
    private Path savedSpec() {
        Path p = Path.of(target);
        if (Files.isDirectory(p)) {
            Path f = new RunFolder(p).networks().resolve(row + ".spec.json");
            if (!Files.isRegularFile(f)) {
                throw new BadInputException(target + ": run folder has no saved network for row '" + row + "' ("
                        + f + " not found); runs keep every row's network with --set output.keepNetworks=true");
            }
            return f;
        }
        if (target.endsWith(".json")) {
            if (!Files.isReadable(p)) {
                throw new BadInputException(target + ": file not found or not readable");
            }
            return p;
        }
        return null;
    }

    static Shape parseShape(String text) {
        try {
            return InputShapes.parse(text);
        } catch (IllegalArgumentException ex) {
            throw new BadInputException("--input " + text + ": expected CxHxW with positive integers, e.g. 3x224x224");
        }
    }
}

package org.waecompress.experiments.cli;

import ai.djl.ndarray.types.Shape;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.waecompress.backbones.Backbones;
import org.waecompress.experiments.measure.Profile;
import org.waecompress.experiments.report.ConsoleProgress;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.cost.LayerCost;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SpecJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code waec inspect}: per-layer MACs, parameters and output shapes of a backbone or a saved spec. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Print per-layer MACs, parameters and output shapes of a backbone or a SPEC.json file.")
final class InspectCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "BACKBONE|STRATEGY-on-BACKBONE|SPEC.json",
            description = "A backbone name (vgg16, vgg16-bn, vgg16-ceil, resnet50, vgg16-bn-small, resnet20, resnet56), "
                    + "STRATEGY-on-BACKBONE (e.g. wae-on-vgg16) or a .spec.json file.")
    String target;

    @Option(names = "--input", paramLabel = "CxHxW", description = "Input shape, e.g. 3x112x112 (default: the backbone's).")
    String input;

    @Option(names = "--classes", description = "Number of classes (default: the backbone's).")
    Integer classes;

    @Option(names = "--width", defaultValue = "1.0", description = "Width factor of small-image backbones (default ${DEFAULT-VALUE}).")
    double width;

    @Option(names = "--format", defaultValue = "text", description = "text or json (default ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--tree", description = "Also list composite nodes with their subtree totals.")
    boolean tree;

    @Option(names = "--profile", description = "Time every node down to --depth on the CPU (random weights, batch 1, "
            + "alternated with the whole network) and show its share of the time against its share of the MACs.")
    boolean profile;

    @Option(names = "--depth", defaultValue = "2", description = "Deepest nodes --profile times (default ${DEFAULT-VALUE}).")
    int depth;

    @Option(names = "--runs", defaultValue = "10", description = "Timed runs per node for --profile (default ${DEFAULT-VALUE}).")
    int runs;

    @Override
    public Integer call() throws Exception {
        NetworkSpec spec = resolve();
        CostReport r = CostReport.of(spec);
        if (profile) {
            if (depth < 0) {
                throw new BadInputException("--depth " + depth + ": expected 0 or more");
            }
            if (runs < 1) {
                throw new BadInputException("--runs " + runs + ": expected 1 or more");
            }
            if (!format.equals("text")) {
                throw new BadInputException("--format " + format + ": --profile prints text only");
            }
            System.out.println(spec.name() + "  input " + spec.inputShape() + "  output " + spec.outputShape());
            System.out.print(Profile.toText(Profile.of(spec, depth, 1, Math.max(2, runs / 5), runs,
                    ConsoleProgress.stderr())));
            return 0;
        }
        switch (format) {
            case "text" -> {
                System.out.println(spec.name() + "  input " + spec.inputShape() + "  output " + spec.outputShape());
                System.out.print(r.toText(tree));
            }
            case "json" -> System.out.println(toJson(spec, r));
            default -> throw new BadInputException("--format " + format + ": expected text or json");
        }
        return 0;
    }

    private NetworkSpec resolve() throws Exception {
        if (target.endsWith(".json")) {
            Path p = Path.of(target);
            if (!Files.isReadable(p)) {
                throw new BadInputException(target + ": file not found or not readable");
            }
            NetworkSpec s = SpecJson.fromJson(Files.readString(p), target);
            return input == null ? s : s.withInputShape(parseShape(input));
        }
        String backbone = target;
        String strategy = null;
        int on = target.indexOf("-on-");
        if (on > 0) {
            strategy = target.substring(0, on);
            backbone = target.substring(on + 4);
        }
        Backbones.Entry e = Backbones.get(backbone);
        Shape in = input == null ? e.defaultInput() : parseShape(input);
        NetworkSpec b = e.factory().create(in, classes == null ? e.defaultClasses() : classes, width);
        if (strategy == null) {
            return b;
        }
        org.waecompress.spi.CompressionStrategy st = org.waecompress.spi.plugin.StrategyRegistry.discover().get(strategy);
        org.waecompress.spi.CompressionContext ctx = new org.waecompress.spi.CompressionContext(strategy,
                new org.apache.commons.configuration2.MapConfiguration(new java.util.HashMap<String, Object>()), 42, null,
                new org.waecompress.spi.train.NetworkTrainer(null),
                org.waecompress.spi.train.TrainSettings.builder().build(), null, null);
        try {
            return st.architecture(b, ctx);
        } catch (UnsupportedOperationException ex) {
            throw new BadInputException(target + ": " + ex.getMessage());
        }
    }

    static Shape parseShape(String text) {
        String[] parts = text.toLowerCase(java.util.Locale.ROOT).split("x");
        try {
            long[] d = new long[parts.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = Long.parseLong(parts[i].trim());
                if (d[i] <= 0) {
                    throw new NumberFormatException();
                }
            }
            if (d.length != 3) {
                throw new NumberFormatException();
            }
            return new Shape(d);
        } catch (NumberFormatException ex) {
            throw new BadInputException("--input " + text + ": expected CxHxW with positive integers, e.g. 3x224x224");
        }
    }

    private static String toJson(NetworkSpec spec, CostReport r) {
        JsonObject o = new JsonObject();
        o.addProperty("network", spec.name());
        o.addProperty("input", spec.inputShape().toString());
        o.addProperty("totalMacs", r.totalMacs());
        o.addProperty("totalParams", r.totalParams());
        o.addProperty("macsCount", "conv + linear multiply-accumulates per sample");
        JsonArray layers = new JsonArray();
        for (LayerCost c : r.nodes()) {
            JsonObject l = new JsonObject();
            l.addProperty("path", c.path());
            l.addProperty("type", c.type());
            l.addProperty("output", c.out().toString());
            l.addProperty("params", c.params());
            l.addProperty("macs", c.macs());
            l.addProperty("leaf", c.leaf());
            layers.add(l);
        }
        o.add("layers", layers);
        return new GsonBuilder().setPrettyPrinting().create().toJson(o);
    }
}

package org.waecompress.experiments.cli;

import com.google.inject.Injector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.waecompress.experiments.config.BadInputException;
import org.waecompress.experiments.config.ExperimentConfig;
import org.waecompress.experiments.config.ExperimentSettings;
import org.waecompress.experiments.guice.HarnessModule;
import org.waecompress.experiments.harness.ExperimentRunner;
import org.waecompress.experiments.harness.PlanCheck;
import org.waecompress.experiments.harness.RunFolder;
import org.waecompress.experiments.report.RunReport;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.plugin.StrategyRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code waec run}: runs an experiment plan and prints its comparison table. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run an experiment plan (the backbone and every selected strategy) and print its table.")
final class RunCommand implements Callable<Integer> {

    @Option(names = "--preset", description = "A shipped plan, presets/NAME.properties on the class path (listed "
            + "below); quick is the default when no --config is given.")
    String preset;

    @Option(names = "--config", paramLabel = "FILE", description = "Your plan, a .properties or .yaml file.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one key (repeatable; highest priority).")
    List<String> sets = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "The run folder (default: runs/NAME-TIMESTAMP).")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out, skipping finished rows.")
    boolean resume;

    @Override
    public Integer call() {
        Map<String, String> pairs = new LinkedHashMap<>();
        putSets(sets, pairs);
        if (out != null) {
            pairs.put("output.dir", out.toString());
        }
        String p = preset == null && config == null ? "quick" : preset;
        Injector injector = StrategyRegistry.injector(new HarnessModule(null));
        StrategyRegistry registry = injector.getInstance(StrategyRegistry.class);
        ExperimentConfig cfg = ExperimentConfig.load(pairs, config, p, System.getProperties(), registry);
        ExperimentSettings s = ExperimentSettings.from(cfg);
        ExperimentRunner runner = injector.getInstance(ExperimentRunner.class);
        // the whole plan is checked before any folder is made or anything trains
        PlanCheck.validateWithoutData(cfg, s);
        if (s.outputDir().isEmpty() && (s.name().isBlank() || s.name().contains("/") || s.name().contains("\\")
                || s.name().contains("..") || s.name().startsWith("."))) {
            throw new InvalidSettingException("experiment.name", s.name(), "is the run folder's name under runs/: "
                    + "give a plain name (no /, \\ or .. and not starting with a dot), and --out for a folder "
                    + "elsewhere");
        }
        Path dir = s.outputDir().isEmpty()
                ? Path.of("runs", s.name() + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern(
                        "yyyyMMdd-HHmmss")))
                : Path.of(s.outputDir());
        // the follow-up plan is checked now, not after the first one has run for hours
        ExperimentConfig thenCfg = cfg.then(dir.resolve(cfg.thenName()), registry);
        ExperimentSettings thenSettings = thenCfg == null ? null : ExperimentSettings.from(thenCfg);
        if (thenSettings != null) {
            PlanCheck.validateWithoutData(thenCfg, thenSettings);
        }
        checkWritable(dir);
        if (resume && !Files.isDirectory(dir)) {
            throw new BadInputException("--resume: run folder " + dir
                    + " does not exist; pass the folder of the run to continue with --out");
        }
        if (resume && !isRunFolder(dir) && !isEmpty(dir)) {
            throw new BadInputException("--resume: " + dir + " is not a run folder (no provenance.json, results.jsonl "
                    + "or log.txt) and holds other files; pass the folder of the run to continue with --out");
        }
        List<String> args = new ArrayList<>(List.of("waec", "run"));
        if (p != null) {
            args.add("--preset " + p);
        }
        if (config != null) {
            args.add("--config " + config);
        }
        sets.forEach(x -> args.add("--set " + x));
        if (resume) {
            args.add("--resume");
        }
        String[] printed = new String[1];
        ExperimentRunner.Outcome o = runner.run(cfg, s, dir, resume, args,
                done -> printed[0] = RunReport.write(done.dir(), done.rows(), done.meta()));
        System.out.println();
        System.out.print(printed[0]);
        System.out.println();
        System.out.println("Run folder: " + o.dir().toAbsolutePath());
        if (thenSettings != null) {
            Path next = Path.of(thenSettings.outputDir());
            boolean again = resume && Files.exists(new RunFolder(next).results().file());
            List<String> thenArgs = new ArrayList<>(args);
            thenArgs.add("(then " + cfg.get("experiment.then") + " in " + next + ")");
            ExperimentRunner.Outcome t = runner.run(thenCfg, thenSettings, next, again, thenArgs,
                    done -> printed[0] = RunReport.write(done.dir(), done.rows(), done.meta()));
            System.out.println();
            System.out.print(printed[0]);
            System.out.println();
            System.out.println("Run folder: " + t.dir().toAbsolutePath());
        }
        return 0;
    }

    /** Whether a folder holds what a run writes first. */
    private static boolean isRunFolder(Path dir) {
        RunFolder f = new RunFolder(dir);
        return Files.exists(f.provenance()) || Files.exists(f.results().file()) || Files.exists(f.log());
    }

    /** Whether a folder holds nothing but hidden files (a lock or temporary file a killed run left). */
    private static boolean isEmpty(Path dir) {
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            return s.allMatch(f -> f.getFileName().toString().startsWith("."));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /**
     * Checks that the run folder can be written before anything runs: an existing folder by writing a
     * probe file into it, a new one by its nearest existing parent (the runner creates it).
     *
     * @param dir the run folder
     */
    static void checkWritable(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new BadInputException("output folder " + dir
                    + " is a file, not a folder; choose a folder with --out");
        }
        try {
            Path existing = dir.toAbsolutePath();
            while (!Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (!Files.isDirectory(existing)) {
                throw new BadInputException("output folder " + dir + ": " + existing + " is a file, not a folder; "
                        + "choose a folder with --out");
            }
            Path probe = Files.createTempFile(existing, ".probe", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new BadInputException("output folder " + dir + " is not writable (" + e.getMessage()
                    + "); choose another with --out");
        }
    }

    /**
     * Adds {@code --set KEY=VALUE} options to a map of keys.
     *
     * @param sets the options' values
     * @param pairs the map (later options win)
     * @throws BadInputException for a value without {@code =}
     */
    static void putSets(List<String> sets, Map<String, String> pairs) {
        for (String kv : sets) {
            int i = kv.indexOf('=');
            if (i <= 0) {
                throw new BadInputException("--set " + kv + ": expected KEY=VALUE");
            }
            pairs.put(kv.substring(0, i).trim(), kv.substring(i + 1).trim());
        }
    }
}

package org.waecompress.experiments.cli;

import java.util.concurrent.Callable;
import org.waecompress.experiments.report.SettingsTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code waec settings}: the harness's settings (the keys of a plan besides the strategies'). */
@Command(name = "settings", mixinStandardHelpOptions = true,
        description = "List the harness settings (experiment, backbone, data, training, latency, output keys) with "
                + "their defaults and allowed values; waec strategies lists the strategies' own.")
final class SettingsCommand implements Callable<Integer> {

    @Option(names = "--markdown", description = "Print them as the harness table of docs/configuration.md.")
    boolean markdown;

    @Override
    public Integer call() {
        System.out.print(markdown ? SettingsTable.harness() : SettingsTable.harnessText());
        return 0;
    }
}

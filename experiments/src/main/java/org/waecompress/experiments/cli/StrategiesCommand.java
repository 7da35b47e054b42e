package org.waecompress.experiments.cli;

import java.util.concurrent.Callable;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.plugin.StrategyRegistry;
import picocli.CommandLine.Command;

/** {@code waec strategies}: the installed strategies, their settings and defaults. */
@Command(name = "strategies", mixinStandardHelpOptions = true,
        description = "List the installed strategies with their settings keys and defaults.")
final class StrategiesCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        StrategyRegistry r = StrategyRegistry.discover();
        for (String id : r.ids()) {
            CompressionStrategy s = r.get(id);
            System.out.println(id + "  " + s.description());
            s.defaultSettings().forEach((k, v) -> System.out.println("    strategy." + id + "." + k + " = " + v));
        }
        return 0;
    }
}

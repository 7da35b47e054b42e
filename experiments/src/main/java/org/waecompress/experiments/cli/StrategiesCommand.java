package org.waecompress.experiments.cli;

import java.util.concurrent.Callable;
import org.waecompress.experiments.report.SettingsTable;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.plugin.StrategyRegistry;
import org.waecompress.spi.plugin.StrategyVariant;
import org.waecompress.spi.setting.Setting;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code waec strategies}: the installed strategies, their settings and defaults. */
@Command(name = "strategies", mixinStandardHelpOptions = true,
        description = "List the installed strategies with their settings keys and defaults.")
final class StrategiesCommand implements Callable<Integer> {

    @Option(names = "--markdown", description = "Print the settings as the Markdown tables of docs/configuration.md.")
    boolean markdown;

    @Override
    public Integer call() {
        StrategyRegistry r = StrategyRegistry.discover();
        if (markdown) {
            System.out.print(SettingsTable.markdown(r));
            return 0;
        }
        for (String id : r.ids()) {
            CompressionStrategy s = r.get(id);
            System.out.println(id + "  " + s.description()
                    + (s instanceof StrategyVariant v ? " [variant of " + v.base().id() + "]" : ""));
            for (Setting<?> st : s.settings()) {
                System.out.println("    strategy." + id + "." + st.name() + " = " + st.defaultText() + "  ("
                        + st.allowed() + ") " + st.doc());
            }
        }
        return 0;
    }
}

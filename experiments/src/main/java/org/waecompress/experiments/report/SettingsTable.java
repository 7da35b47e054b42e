package org.waecompress.experiments.report;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.plugin.StrategyRegistry;
import org.waecompress.spi.plugin.StrategyVariant;
import org.waecompress.spi.setting.Setting;

/**
 * The strategy keys as Markdown, from the strategies' own declarations: what {@code waec strategies
 * --markdown} prints and docs/configuration.md holds (a test checks the two are equal).
 */
public final class SettingsTable {

    private SettingsTable() {}

    /**
     * Renders every strategy's settings, then the variants with the defaults they change.
     *
     * @param registry the strategies
     * @return the Markdown text
     */
    public static String markdown(StrategyRegistry registry) {
        StringBuilder sb = new StringBuilder();
        List<String> variants = registry.ids().stream().filter(registry::isVariant).toList();
        for (String id : registry.ids()) {
            if (registry.isVariant(id)) {
                continue;
            }
            CompressionStrategy s = registry.get(id);
            sb.append("### `").append(id).append("`\n\n").append(cell(s.description())).append("\n\n");
            if (s.settings().isEmpty()) {
                sb.append("No settings.\n\n");
                continue;
            }
            sb.append("| key | default | allowed | meaning |\n| --- | --- | --- | --- |\n");
            for (Setting<?> st : s.settings()) {
                sb.append("| `strategy.").append(id).append('.').append(st.name()).append("` | ")
                        .append(cell(st.defaultText())).append(" | ").append(cell(st.allowed())).append(" | ")
                        .append(cell(st.doc())).append(" |\n");
            }
            sb.append('\n');
        }
        if (!variants.isEmpty()) {
            sb.append("### Variants\n\nA variant runs its base strategy's code with other defaults; its keys are the "
                    + "base's, under its own id (`strategy.thinet-30.ratio`), and it inherits the base's keys for the "
                    + "settings its definition leaves alone (`strategy.thinet.channelMultiple` reaches thinet-30; "
                    + "`strategy.thinet.ratio` does not).\n\n"
                    + "| id | base | defaults it changes | description |\n| --- | --- | --- | --- |\n");
            for (String id : variants) {
                StrategyVariant v = (StrategyVariant) registry.get(id);
                sb.append("| `").append(id).append("` | `").append(v.base().id()).append("` | ")
                        .append(changes(v.values())).append(" | ").append(cell(v.description())).append(" |\n");
            }
        }
        return sb.toString();
    }

    private static String changes(Map<String, String> values) {
        return values.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> "`" + e.getKey() + "` " + cell(e.getValue().trim())).collect(Collectors.joining(", "));
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}

package org.waecompress.experiments.report;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.waecompress.experiments.config.HarnessSettings;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.plugin.StrategyRegistry;
import org.waecompress.spi.plugin.StrategyVariant;
import org.waecompress.spi.setting.Setting;

/**
 * The settings as Markdown and text, from their declarations: the strategy keys ({@code waec strategies
 * --markdown}) and the harness keys ({@code waec settings --markdown}), which docs/configuration.md holds (a
 * test checks they are equal), and the harness keys' lines of {@code waec settings} and {@code waec run --help}.
 */
public final class SettingsTable {

    private SettingsTable() {}

    /**
     * Renders the harness settings ({@link HarnessSettings}) as the Markdown table of docs/configuration.md:
     * what {@code waec settings --markdown} prints (a test checks the two are equal).
     *
     * @return the Markdown text
     */
    public static String harness() {
        StringBuilder sb = new StringBuilder("| key | default | allowed | meaning |\n| --- | --- | --- | --- |\n");
        for (Setting<?> st : HarnessSettings.ALL) {
            sb.append("| `").append(st.name()).append("` | ").append(cell(st.defaultText())).append(" | ")
                    .append(cell(st.allowed())).append(" | ").append(cell(st.doc())).append(" |\n");
        }
        return sb.toString();
    }

    /**
     * Renders the harness settings as plain lines, {@code key = default  (allowed) meaning}: what {@code waec
     * settings} and {@code waec run --help} print.
     *
     * @return the text
     */
    public static String harnessText() {
        StringBuilder sb = new StringBuilder();
        for (Setting<?> st : HarnessSettings.ALL) {
            sb.append("  ").append(st.name()).append(" = ").append(st.defaultText()).append("  (").append(st.allowed())
                    .append(") ").append(st.doc().replace("`", "")).append('\n');
        }
        return sb.toString();
    }

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

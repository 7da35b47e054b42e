package org.waecompress.experiments.config;

import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.PropertiesConfiguration;
import org.apache.commons.configuration2.YAMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.waecompress.spi.error.InvalidSettingException;

/**
 * Reads the files a plan is made of: the user's {@code --config} file (properties or YAML; a key without a
 * value, a duplicate or a syntax error is one line naming the file) and the presets on the class path.
 */
final class PlanFiles {

    /** Keys whose empty value means something (no follow-up plan, no weights, no extra strategies). */
    private static final Set<String> EMPTY_ALLOWED = Set.of("experiment.then", "backbone.weights", "output.dir");

    private PlanFiles() {}

    /**
     * Reads a plan file ({@code --config}): properties or YAML, UTF-8 (a byte-order mark dropped), every key
     * with a value.
     *
     * @param file the file
     * @return its configuration
     * @throws BadInputException naming the file when it is missing, unreadable, of another kind or malformed
     * @throws InvalidSettingException naming a key given without a value
     */
    static Configuration read(Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new BadInputException("--config " + file + ": file not found or not readable");
        }
        String n = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new BadInputException("--config " + file + ": cannot read it as UTF-8 text (" + e.getMessage() + ")");
        }
        // a byte-order mark (some Windows editors write one) is not part of the first key
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        try {
            if (n.endsWith(".yaml") || n.endsWith(".yml")) {
                YAMLConfiguration y = new YAMLConfiguration();
                org.yaml.snakeyaml.LoaderOptions options = new org.yaml.snakeyaml.LoaderOptions();
                options.setAllowDuplicateKeys(false);
                // YAML drops a key without a value ('epochs:' alone): find such keys in the parsed tree first
                nullLeaves(new org.yaml.snakeyaml.Yaml(options).load(text), "", file);
                y.read(new java.io.StringReader(text), options);
                return withValues(y, file);
            }
            if (n.endsWith(".properties")) {
                PropertiesConfiguration p = new PropertiesConfiguration();
                p.read(new java.io.StringReader(text));
                return withValues(p, file);
            }
        } catch (ConfigurationException | java.io.IOException | RuntimeException e) {
            throw new BadInputException("--config " + file + ": cannot parse: " + parseError(e));
        }
        throw new BadInputException("--config " + file + ": expected a .properties or .yaml file");
    }

    /**
     * Refuses a key given without a value (YAML {@code epochs:} on its own, {@code key =} in a properties
     * file), which would otherwise run the default while the provenance names the file: only keys whose
     * empty value means something may be empty.
     */
    private static Configuration withValues(Configuration c, Path file) {
        List<String> keys = new ArrayList<>();
        c.getKeys().forEachRemaining(keys::add);
        for (String key : keys) {
            Object v = c.getProperty(key);
            boolean empty = v == null || (v instanceof String t && t.isBlank())
                    || (v instanceof java.util.Collection<?> l && l.isEmpty());
            if (empty && !mayBeEmpty(key)) {
                throw new InvalidSettingException(key, "", "has no value (from --config " + file + "); give it one, "
                        + "or delete the line to keep the default");
            }
        }
        return c;
    }

    /** Whether an empty value means something for a key (no follow-up plan, no weights, no per-unit ratios). */
    private static boolean mayBeEmpty(String key) {
        return EMPTY_ALLOWED.contains(key)
                || key.endsWith("." + org.waecompress.spi.LayerwiseStrategy.LAYER_RATIOS.name());
    }

    private static void nullLeaves(Object node, String path, Path file) {
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> nullLeaves(v, path.isEmpty() ? String.valueOf(k) : path + "." + k, file));
        } else if (node == null && !path.isEmpty() && !mayBeEmpty(path)) {
            throw new InvalidSettingException(path, "", "has no value (from --config " + file + "); give it one, "
                    + "or delete the line to keep the default");
        }
    }

    /** A parser's error in words: the YAML problem and where, without Java class names. */
    private static String parseError(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.yaml.snakeyaml.error.MarkedYAMLException m) {
                String where = m.getProblemMark() == null ? "" : String.format(java.util.Locale.ROOT,
                        " (line %d, column %d)", m.getProblemMark().getLine() + 1, m.getProblemMark().getColumn() + 1);
                return String.valueOf(m.getProblem()).lines().findFirst().orElse("?") + where;
            }
        }
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        String m = String.valueOf(cause.getMessage()).lines().findFirst().orElse("");
        // drop a leading Java class name ("org.yaml...Exception: ...")
        return m.replaceFirst("^([a-z]+\\.)+[A-Za-z]*(Exception|Error):\\s*", "");
    }

    /**
     * Reads a properties file on the class path (a preset).
     *
     * @param resource the resource's path
     * @return its configuration
     */
    static Configuration classpath(String resource) {
        try (InputStream in = PlanFiles.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource " + resource);
            }
            PropertiesConfiguration p = new PropertiesConfiguration();
            p.read(new InputStreamReader(in, StandardCharsets.UTF_8));
            return p;
        } catch (java.io.IOException | ConfigurationException e) {
            throw new IllegalStateException("cannot read classpath resource " + resource, e);
        }
    }
}

package org.waecompress.spi.setting;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.waecompress.spi.InvalidSettingException;

/**
 * One setting a strategy reads: its name, type, default, allowed values and a one-line meaning, declared
 * once. A strategy lists its settings in {@link org.waecompress.spi.CompressionStrategy#settings()} and
 * reads them with {@link org.waecompress.spi.CompressionContext#get(Setting)}; the harness derives from
 * the same list the keys it accepts ({@code strategy.<id>.<name>}), the checks of every value before a
 * run starts, the listing of {@code waec strategies}, the settings recorded in provenance and the key
 * tables of docs/strategies.md.
 *
 * <pre>{@code
 * static final Setting<Double> RATIO = Setting.real("ratio", 0.5, "fraction of channels each pruned layer keeps")
 *         .above(0).below(1);
 * static final Setting<Integer> EPOCHS = Setting.integer("fineTuneEpochs", "the run's fine-tune epochs",
 *         "epochs of fine-tuning at the end").atLeast(0);
 * }</pre>
 *
 * <p>A setting whose default depends on the run (the run's fine-tune epochs, another setting) is
 * declared with the text that says so, and read with {@link
 * org.waecompress.spi.CompressionContext#get(Setting, Object)}, which gives that default.
 *
 * @param <T> the value type: {@link Integer}, {@link Double}, {@link Boolean} or {@link String}
 */
public final class Setting<T> {

    /** Value types. */
    public enum Type {
        /** A whole number. */
        INTEGER,
        /** A number. */
        REAL,
        /** true or false. */
        FLAG,
        /** One word of a fixed list. */
        CHOICE,
        /** Free text (paths, lists). */
        TEXT
    }

    private final String name;
    private final Type type;
    private final T defaultValue;
    private final String defaultText;
    private final String doc;
    private final Double min;
    private final boolean minOpen;
    private final Double max;
    private final boolean maxOpen;
    private final List<String> choices;

    private Setting(String name, Type type, T defaultValue, String defaultText, String doc, Double min,
            boolean minOpen, Double max, boolean maxOpen, List<String> choices) {
        if (!name.matches("[a-zA-Z][a-zA-Z0-9]*(\\.[a-zA-Z][a-zA-Z0-9]*)*")) {
            throw new IllegalArgumentException("setting name '" + name + "' must be dotted words of letters and "
                    + "digits, such as ratio or stage1.epochs");
        }
        this.name = name;
        this.type = type;
        this.defaultValue = defaultValue;
        this.defaultText = Objects.requireNonNull(defaultText, "defaultText");
        this.doc = Objects.requireNonNull(doc, "doc");
        this.min = min;
        this.minOpen = minOpen;
        this.max = max;
        this.maxOpen = maxOpen;
        this.choices = List.copyOf(choices);
    }

    /**
     * Declares a whole-number setting.
     *
     * @param name the key relative to {@code strategy.<id>.}
     * @param dflt the default
     * @param doc one line on what it does
     * @return the setting, without bounds
     */
    public static Setting<Integer> integer(String name, int dflt, String doc) {
        return new Setting<>(name, Type.INTEGER, dflt, Integer.toString(dflt), doc, null, false, null, false,
                List.of());
    }

    /**
     * Declares a whole-number setting whose default depends on the run.
     *
     * @param name the key
     * @param defaultText what the default is ("the run's fine-tune epochs")
     * @param doc one line on what it does
     * @return the setting
     */
    public static Setting<Integer> integer(String name, String defaultText, String doc) {
        return new Setting<>(name, Type.INTEGER, null, defaultText, doc, null, false, null, false, List.of());
    }

    /**
     * Declares a numeric setting.
     *
     * @param name the key
     * @param dflt the default
     * @param doc one line on what it does
     * @return the setting, without bounds
     */
    public static Setting<Double> real(String name, double dflt, String doc) {
        return new Setting<>(name, Type.REAL, dflt, number(dflt), doc, null, false, null, false, List.of());
    }

    /**
     * Declares a numeric setting whose default depends on the run or another setting.
     *
     * @param name the key
     * @param defaultText what the default is
     * @param doc one line on what it does
     * @return the setting
     */
    public static Setting<Double> real(String name, String defaultText, String doc) {
        return new Setting<>(name, Type.REAL, null, defaultText, doc, null, false, null, false, List.of());
    }

    /**
     * Declares a true/false setting.
     *
     * @param name the key
     * @param dflt the default
     * @param doc one line on what it does
     * @return the setting
     */
    public static Setting<Boolean> flag(String name, boolean dflt, String doc) {
        return new Setting<>(name, Type.FLAG, dflt, Boolean.toString(dflt), doc, null, false, null, false,
                List.of());
    }

    /**
     * Declares a setting that takes one word of a list.
     *
     * @param name the key
     * @param dflt the default, one of {@code choices}
     * @param doc one line on what it does (and what each choice means)
     * @param choices the allowed words
     * @return the setting
     */
    public static Setting<String> choice(String name, String dflt, String doc, String... choices) {
        if (!List.of(choices).contains(dflt)) {
            throw new IllegalArgumentException("default '" + dflt + "' of " + name + " is not among its choices "
                    + List.of(choices));
        }
        return new Setting<>(name, Type.CHOICE, dflt, dflt, doc, null, false, null, false, List.of(choices));
    }

    /**
     * Declares a free-text setting (a list of layer paths, a file).
     *
     * @param name the key
     * @param dflt the default
     * @param doc one line on what it does
     * @return the setting
     */
    public static Setting<String> text(String name, String dflt, String doc) {
        return new Setting<>(name, Type.TEXT, dflt, dflt.isEmpty() ? "(empty)" : dflt, doc, null, false, null,
                false, List.of());
    }

    /**
     * Returns this setting with a lower bound, inclusive.
     *
     * @param bound the smallest allowed value
     * @return the bounded setting
     */
    public Setting<T> atLeast(double bound) {
        return bounded(bound, false, max, maxOpen);
    }

    /**
     * Returns this setting with a lower bound, exclusive.
     *
     * @param bound the value that must be exceeded
     * @return the bounded setting
     */
    public Setting<T> above(double bound) {
        return bounded(bound, true, max, maxOpen);
    }

    /**
     * Returns this setting with an upper bound, inclusive.
     *
     * @param bound the largest allowed value
     * @return the bounded setting
     */
    public Setting<T> atMost(double bound) {
        return bounded(min, minOpen, bound, false);
    }

    /**
     * Returns this setting with an upper bound, exclusive.
     *
     * @param bound the value that must not be reached
     * @return the bounded setting
     */
    public Setting<T> below(double bound) {
        return bounded(min, minOpen, bound, true);
    }

    /**
     * Returns this setting with another text for its default (the default value is unchanged); for
     * defaults with a meaning ("0 (auto: 5% of the maps)").
     *
     * @param text the text shown as the default
     * @return the setting
     */
    public Setting<T> shownAs(String text) {
        return new Setting<>(name, type, defaultValue, text, doc, min, minOpen, max, maxOpen, choices);
    }

    private Setting<T> bounded(Double lo, boolean loOpen, Double hi, boolean hiOpen) {
        if (type != Type.INTEGER && type != Type.REAL) {
            throw new IllegalStateException(name + " is not numeric; only numbers have bounds");
        }
        Setting<T> s = new Setting<>(name, type, defaultValue, defaultText, doc, lo, loOpen, hi, hiOpen, choices);
        if (defaultValue != null && !s.allows(((Number) defaultValue).doubleValue())) {
            throw new IllegalArgumentException("default " + defaultText + " of " + name + " is outside " + s.allowed());
        }
        return s;
    }

    /**
     * Parses and checks a value.
     *
     * @param key the full key, for the message ({@code strategy.thinet.ratio})
     * @param text the value as written
     * @return the value
     * @throws InvalidSettingException naming the key, the value and what is allowed
     */
    @SuppressWarnings("unchecked")
    public T parse(String key, String text) {
        String v = text.trim();
        switch (type) {
            case INTEGER -> {
                long l;
                try {
                    l = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    throw new InvalidSettingException(key, text, "must be " + allowed());
                }
                if (l > Integer.MAX_VALUE || l < Integer.MIN_VALUE || !allows(l)) {
                    throw new InvalidSettingException(key, text, "must be " + allowed());
                }
                return (T) Integer.valueOf((int) l);
            }
            case REAL -> {
                double d;
                try {
                    d = Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    throw new InvalidSettingException(key, text, "must be " + allowed());
                }
                if (!Double.isFinite(d) || !allows(d)) {
                    throw new InvalidSettingException(key, text, "must be " + allowed());
                }
                return (T) Double.valueOf(d);
            }
            case FLAG -> {
                return switch (v.toLowerCase(Locale.ROOT)) {
                    case "true" -> (T) Boolean.TRUE;
                    case "false" -> (T) Boolean.FALSE;
                    default -> throw new InvalidSettingException(key, text, "must be true or false");
                };
            }
            case CHOICE -> {
                if (!choices.contains(v)) {
                    throw new InvalidSettingException(key, text, "must be " + allowed());
                }
                return (T) v;
            }
            default -> {
                return (T) v;
            }
        }
    }

    private boolean allows(double d) {
        boolean lo = min == null || (minOpen ? d > min : d >= min);
        boolean hi = max == null || (maxOpen ? d < max : d <= max);
        return lo && hi;
    }

    /**
     * Says what values are allowed, as the error messages and listings word it.
     *
     * @return for example {@code a number in (0, 1)}, {@code an integer >= 1}, {@code one of mean, sum}
     */
    public String allowed() {
        return switch (type) {
            case INTEGER -> "an integer" + range();
            case REAL -> "a number" + range();
            case FLAG -> "true or false";
            case CHOICE -> "one of " + String.join(", ", choices);
            case TEXT -> "text";
        };
    }

    private String range() {
        if (min == null && max == null) {
            return "";
        }
        if (max == null) {
            return (minOpen ? " > " : " >= ") + number(min);
        }
        if (min == null) {
            return (maxOpen ? " < " : " <= ") + number(max);
        }
        return " in " + (minOpen ? "(" : "[") + number(min) + ", " + number(max) + (maxOpen ? ")" : "]");
    }

    private static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    /**
     * Returns the key relative to {@code strategy.<id>.}.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Returns the value type.
     *
     * @return the type
     */
    public Type type() {
        return type;
    }

    /**
     * Returns the default, or null when it depends on the run (see {@link #defaultText()}).
     *
     * @return the default value
     */
    public T defaultValue() {
        return defaultValue;
    }

    /**
     * Returns the default as listings show it.
     *
     * @return the text
     */
    public String defaultText() {
        return defaultText;
    }

    /**
     * Returns the one-line meaning.
     *
     * @return the doc
     */
    public String doc() {
        return doc;
    }

    /**
     * Returns the allowed words of a {@link Type#CHOICE} setting.
     *
     * @return the words, empty for other types
     */
    public List<String> choices() {
        return choices;
    }

    /**
     * Returns a copy with another default, for a variant ({@code thinet-30} is {@code thinet} with
     * {@code ratio} 0.3): the value is checked as a user's would be.
     *
     * @param key the full key of the variant's setting, for the message
     * @param text the new default as written
     * @return the setting with that default
     * @throws InvalidSettingException if the value is not allowed
     */
    public Setting<T> withDefault(String key, String text) {
        T v = parse(key, text);
        return new Setting<>(name, type, v, text.trim(), doc, min, minOpen, max, maxOpen, choices);
    }

    @Override
    public String toString() {
        return name + " = " + defaultText + " (" + allowed() + "): " + doc;
    }
}

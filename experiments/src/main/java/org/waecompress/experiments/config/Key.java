package org.waecompress.experiments.config;

import java.util.List;
import java.util.Locale;
import org.waecompress.spi.error.InvalidSettingException;

/**
 * One known configuration key: its type, allowed range and meaning.
 *
 * @param name the dotted key
 * @param type the value type
 * @param min the smallest allowed number (inclusive unless {@code openMin}), or null
 * @param max the largest allowed number (inclusive), or null
 * @param openMin whether {@code min} itself is excluded (a learning rate must be above 0)
 * @param allowed the allowed words for {@link Type#CHOICE}, else empty
 * @param doc one line on what it does
 */
public record Key(String name, Type type, Double min, Double max, boolean openMin, List<String> allowed,
        String doc) {

    /** Value types. */
    public enum Type {
        /** Free text. */
        STRING,
        /** A whole number. */
        INT,
        /** A number. */
        DOUBLE,
        /** true or false. */
        BOOL,
        /** One of {@link Key#allowed()}. */
        CHOICE
    }

    /**
     * Checks a value.
     *
     * @param value the text value
     * @param source the layer it came from, for the message
     * @throws InvalidSettingException naming key, value, source and what is allowed
     */
    public void check(String value, String source) {
        String v = value.trim();
        String where = " (from " + source + ")";
        switch (type) {
            case INT, DOUBLE -> {
                double d;
                try {
                    d = type == Type.INT ? Long.parseLong(v) : Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    throw new InvalidSettingException(name, value, "must be " + (type == Type.INT ? "an integer"
                            : "a number")
                            + range() + where);
                }
                if (type == Type.INT && max != null && max == Integer.MAX_VALUE && d > max) {
                    throw new InvalidSettingException(name, value, "must be an integer of at most " + Integer.MAX_VALUE
                            + where);
                }
                if ((min != null && (d < min || (openMin && d == min))) || (max != null && d > max)
                        || Double.isNaN(d)) {
                    throw new InvalidSettingException(name, value, "must be" + range() + where);
                }
            }
            case BOOL -> {
                String l = v.toLowerCase(Locale.ROOT);
                if (!l.equals("true") && !l.equals("false")) {
                    throw new InvalidSettingException(name, value, "must be true or false" + where);
                }
            }
            case CHOICE -> {
                if (!allowed.contains(v)) {
                    throw new InvalidSettingException(name, value, "must be one of " + String.join(", ",
                            allowed.stream().map(a -> a.isEmpty() ? "(empty)" : a).toList()) + where);
                }
            }
            default -> { }
        }
    }

    private String range() {
        // an integer's largest int is its type's limit, not a bound of its own
        Double max = this.max != null && type == Type.INT && this.max == Integer.MAX_VALUE ? null : this.max;
        if (min == null && max == null) {
            return "";
        }
        if (max == null) {
            return (openMin ? " > " : " >= ") + fmt(min);
        }
        if (min == null) {
            return " <= " + fmt(max);
        }
        return " in " + (openMin ? "(" : "[") + fmt(min) + ", " + fmt(max) + "]";
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}

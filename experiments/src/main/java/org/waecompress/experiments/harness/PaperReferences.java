package org.waecompress.experiments.harness;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.waecompress.experiments.result.PaperReference;

/**
 * The WAE paper's reported numbers ({@code paper-reference.properties}: {@code BACKBONE.ROW.top5} and
 * {@code BACKBONE.ROW.speedup}), looked up per row. A backbone whose numbers are another's says so in the
 * file ({@code vgg16-ceil.sameAs = vgg16}).
 */
public final class PaperReferences {

    private static final PaperReferences NONE = new PaperReferences(new Properties());

    private final Properties values;

    private PaperReferences(Properties values) {
        this.values = values;
    }

    /**
     * Returns the references that have no number for any row (a plan without {@code report.paperReference}).
     *
     * @return the empty references
     */
    public static PaperReferences none() {
        return NONE;
    }

    /**
     * Loads the shipped references.
     *
     * @return the references
     * @throws IllegalStateException if the resource is missing from the build
     */
    public static PaperReferences load() {
        Properties p = new Properties();
        try (InputStream in = PaperReferences.class.getClassLoader().getResourceAsStream(
                "paper-reference.properties")) {
            if (in == null) {
                throw new IllegalStateException("paper-reference.properties is missing from the build");
            }
            p.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read paper-reference.properties", e);
        }
        return new PaperReferences(p);
    }

    /**
     * Returns what the paper reports for a row.
     *
     * @param backbone the run's backbone name
     * @param row the row's id
     * @return the reference, or null when the paper has no number for it
     */
    public PaperReference of(String backbone, String row) {
        String key = values.getProperty(backbone + ".sameAs", backbone) + "." + row + ".";
        Double top5 = number(key + "top5");
        Double speedup = number(key + "speedup");
        return top5 == null && speedup == null ? null : new PaperReference(top5, speedup);
    }

    private Double number(String key) {
        String v = values.getProperty(key);
        return v == null ? null : Double.valueOf(v.trim());
    }
}

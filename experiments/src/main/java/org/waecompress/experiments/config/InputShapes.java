package org.waecompress.experiments.config;

import ai.djl.ndarray.types.Shape;
import java.util.Locale;

/** The one parser of input shapes written {@code CxHxW} ({@code backbone.input}, {@code --input}). */
public final class InputShapes {

    private InputShapes() {}

    /**
     * Parses a shape such as {@code 3x224x224}.
     *
     * @param text the text
     * @return the shape (channels, height, width)
     * @throws IllegalArgumentException if it is not three positive integers joined by {@code x}
     */
    public static Shape parse(String text) {
        String[] parts = text.toLowerCase(Locale.ROOT).split("x", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("expected CxHxW, got " + text);
        }
        long[] d = new long[3];
        for (int i = 0; i < 3; i++) {
            try {
                d[i] = Long.parseLong(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected CxHxW, got " + text, e);
            }
            if (d[i] <= 0) {
                throw new IllegalArgumentException("expected positive sizes, got " + text);
            }
        }
        return new Shape(d);
    }
}

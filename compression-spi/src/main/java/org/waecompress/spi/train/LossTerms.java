package org.waecompress.spi.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named scalar terms a loss reports for logging (for WAE: classification, reconstruction, energy).
 * The trainer averages them over each epoch.
 */
public final class LossTerms {

    private final Map<String, Double> sums = new LinkedHashMap<>();
    private final Map<String, Integer> counts = new LinkedHashMap<>();

    /**
     * Records one value of a term.
     *
     * @param name the term's name
     * @param value its value for the current batch
     */
    public void add(String name, double value) {
        sums.merge(name, value, Double::sum);
        counts.merge(name, 1, Integer::sum);
    }

    /**
     * Returns each term's mean since the last {@link #reset()}.
     *
     * @return means by name, in first-seen order
     */
    public Map<String, Double> means() {
        Map<String, Double> out = new LinkedHashMap<>();
        sums.forEach((k, v) -> out.put(k, v / counts.get(k)));
        return out;
    }

    /** Forgets all values. */
    public void reset() {
        sums.clear();
        counts.clear();
    }
}

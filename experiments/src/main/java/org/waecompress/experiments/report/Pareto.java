package org.waecompress.experiments.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.waecompress.experiments.result.ResultRow;

/**
 * The Pareto fronts of a comparison table: the rows that no other row beats on both top-1 error and
 * a cost axis (measured speed-up, or MACs). A row is dominated when another row is at least as good
 * on both axes and strictly better on one; rows with equal numbers do not dominate each other.
 * Failed rows and rows without an error (a speed-only run) are on no front.
 */
public final class Pareto {

    /** The axis a front trades error against. */
    public enum Axis {
        /** Measured speed-up over the backbone (the table's primary engine): higher is better. */
        SPEEDUP("speed-up"),
        /** MACs per image: lower is better. */
        MACS("MACs");

        private final String label;

        Axis(String label) {
            this.label = label;
        }

        /**
         * Returns the axis's name in tables.
         *
         * @return the label
         */
        public String label() {
            return label;
        }
    }

    private Pareto() {}

    /**
     * Returns the ids of the rows on a front, in table order.
     *
     * @param rows the table's rows
     * @param axis what error is traded against
     * @return the Pareto-optimal row ids
     */
    public static Set<String> front(List<ResultRow> rows, Axis axis) {
        List<ResultRow> eligible = rows.stream().filter(r -> !r.failed() && r.top1Error() != null
                && (axis == Axis.MACS || !r.timings().engines().isEmpty())).toList();
        ToDoubleFunction<ResultRow> gain = axis == Axis.SPEEDUP ? ResultRow::speedup : r -> -(double) r.cost().macs();
        return front(eligible, r -> r.top1Error(), gain, ResultRow::id);
    }

    /**
     * Returns the keys of the items no other item dominates: lower loss and higher gain are better.
     * Items with a loss or gain that is not a finite number are left out.
     *
     * @param items the items
     * @param loss lower is better (an error)
     * @param gain higher is better (a speed-up, or minus a cost)
     * @param key an item's key
     * @param <T> the item type
     * @param <K> the key type
     * @return the keys of the non-dominated items, in the items' order
     */
    public static <T, K> Set<K> front(List<T> items, ToDoubleFunction<T> loss, ToDoubleFunction<T> gain,
            Function<T, K> key) {
        List<T> valid = new ArrayList<>();
        for (T t : items) {
            if (Double.isFinite(loss.applyAsDouble(t)) && Double.isFinite(gain.applyAsDouble(t))) {
                valid.add(t);
            }
        }
        Set<K> out = new LinkedHashSet<>();
        for (T t : valid) {
            boolean dominated = false;
            for (T o : valid) {
                if (o != t && dominates(loss.applyAsDouble(o), gain.applyAsDouble(o), loss.applyAsDouble(t),
                        gain.applyAsDouble(t))) {
                    dominated = true;
                    break;
                }
            }
            if (!dominated) {
                out.add(key.apply(t));
            }
        }
        return out;
    }

    /** Whether (loss a, gain a) is at least as good as (loss b, gain b) on both axes and better on one. */
    static boolean dominates(double lossA, double gainA, double lossB, double gainB) {
        return lossA <= lossB && gainA >= gainB && (lossA < lossB || gainA > gainB);
    }

    /**
     * Returns a row's mark in the table's Pareto column: the axes on whose front it lies.
     *
     * @param row the row's id
     * @param bySpeedup the speed-up front
     * @param byMacs the MACs front
     * @return for example {@code speed-up, MACs}; empty when on neither
     */
    static String mark(String row, Set<String> bySpeedup, Set<String> byMacs) {
        List<String> on = new ArrayList<>();
        if (bySpeedup.contains(row)) {
            on.add(Axis.SPEEDUP.label());
        }
        if (byMacs.contains(row)) {
            on.add(Axis.MACS.label());
        }
        return String.join(", ", on);
    }

    /**
     * The note under a table with a Pareto column.
     *
     * @return the note
     */
    static String note() {
        return "Pareto: the fronts the row lies on; no other row has both a lower or equal top-1 error and a higher "
                + "or equal measured speed-up (speed-up) or fewer or equal MACs (MACs), with one strictly better.";
    }
}

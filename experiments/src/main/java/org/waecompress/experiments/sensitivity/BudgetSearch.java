package org.waecompress.experiments.sensitivity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.configuration2.MapConfiguration;
import org.waecompress.experiments.measure.LatencyModel;
import org.waecompress.experiments.result.SensitivityCell;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.LayerwiseStrategy;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.train.Progress;
import org.waecompress.spi.train.ProgressListener;

/**
 * A per-unit budget from a sensitivity table: the ratios that reach a cost target with the least
 * predicted accuracy loss, found greedily as Distiller's sensitivity-guided schedules, AMC's budget
 * and NetAdapt's per-step search do. The cost is the network's MACs (computed exactly from the
 * strategy's architecture with those ratios) or its time as the {@link LatencyModel} predicts it
 * (NetAdapt's measured look-up tables). Every unit starts uncompressed; each step moves the one unit
 * whose next lower ratio costs the fewest predicted points per unit of cost saved, until the cost is
 * at or below the target; then, since the last step may overshoot, steps that raised the predicted
 * loss are given back (the costliest first) while the target still holds. A variant that also
 * changes the head starts from its own network with every unit whole, so the head's saving is
 * credited to no unit. The predicted loss of a budget is the sum of its units' measured drops
 * (negative drops count as 0), the independence assumption of such schedules.
 */
public final class BudgetSearch {

    /** What a budget counts. */
    public interface Cost {
        /**
         * Returns a network's cost.
         *
         * @param net the network
         * @return its cost
         */
        double of(NetworkSpec net);

        /**
         * Formats a cost with its unit.
         *
         * @param v the cost
         * @return e.g. {@code 1.23 M MACs} or {@code 0.215 ms}
         */
        String format(double v);
    }

    /** The network's MACs, exact from its spec. */
    public static final Cost MACS = new Cost() {
        @Override
        public double of(NetworkSpec net) {
            return CostReport.of(net).totalMacs();
        }

        @Override
        public String format(double v) {
            return CostReport.human((long) v) + " MACs";
        }
    };

    /**
     * The network's predicted time on the runtime the model measures (pieces it lacks measured when
     * first needed).
     *
     * @param model the latency model
     * @param listener progress of the model's measurements
     * @return the cost
     */
    public static Cost time(LatencyModel model, ProgressListener listener) {
        return new Cost() {
            @Override
            public double of(NetworkSpec net) {
                return model.predict(net, listener).totalMs();
            }

            @Override
            public String format(double v) {
                return String.format(Locale.ROOT, "%.3f ms", v);
            }
        };
    }

    /**
     * A budget.
     *
     * @param ratios per unit, its ratio (units left uncompressed are not listed)
     * @param macs the MACs of the network with these ratios
     * @param cost its cost
     * @param goal the target cost
     * @param base the uncompressed network's cost
     * @param whole the strategy's network with every unit whole, where the search starts (below
     *     {@code base} for a variant that also changes the head)
     * @param measure what the costs count
     * @param predictedDrop the sum of the units' measured drops, in points
     * @param met whether the cost is at or below the target (false: every unit at its lowest ratio)
     */
    public record Budget(Map<String, Double> ratios, long macs, double cost, double goal, double base, double whole,
            Cost measure, double predictedDrop, boolean met) {

        /**
         * Says how the budget relates to its target, in one line.
         *
         * @return the verdict
         */
        public String verdict() {
            String head = whole < base ? String.format(Locale.ROOT, "; with every unit whole the strategy's network "
                    + "has %s (%.2fx less: what it changes besides its units)", measure.format(whole), base / whole)
                    : "";
            return (met ? String.format(Locale.ROOT, "meets the target: %s (%.2fx less) against %s (%.2fx)",
                    measure.format(cost), base / cost, measure.format(goal), base / goal)
                    : String.format(Locale.ROOT, "cannot meet the target with these ratios: every unit at its lowest "
                    + "ratio leaves %s (%.2fx less) against %s (%.2fx); add lower ratios", measure.format(cost),
                    base / cost, measure.format(goal), base / goal)) + head;
        }
    }

    private BudgetSearch() {}

    /**
     * Searches a MAC budget.
     *
     * @param strategy the strategy (a {@link LayerwiseStrategy} whose architecture honours its ratios)
     * @param ctx its context
     * @param backbone the uncompressed network's spec
     * @param table the sensitivity table
     * @param targetSpeedup the MAC reduction to reach, above 1
     * @return the budget
     */
    public static Budget search(CompressionStrategy strategy, CompressionContext ctx, NetworkSpec backbone,
            SensitivityAnalysis.Result table, double targetSpeedup) {
        if (!(targetSpeedup > 1)) {
            throw new IllegalArgumentException("--target-speedup: " + targetSpeedup + " must be above 1");
        }
        long base = CostReport.of(backbone).totalMacs();
        return search(strategy, ctx, backbone, table, MACS, Math.floor(base / targetSpeedup), ProgressListener.NONE);
    }

    /**
     * Searches a budget in any cost.
     *
     * @param strategy the strategy (a {@link LayerwiseStrategy} whose architecture honours its ratios)
     * @param ctx its context
     * @param backbone the uncompressed network's spec
     * @param table the sensitivity table
     * @param cost what to count
     * @param goal the cost to reach
     * @param listener where each step is said, with an estimate of the time left
     * @return the budget
     */
    public static Budget search(CompressionStrategy strategy, CompressionContext ctx, NetworkSpec backbone,
            SensitivityAnalysis.Result table, Cost cost, double goal, ProgressListener listener) {
        double base = cost.of(backbone);
        List<Double> ratios = new ArrayList<>(table.ratios());
        ratios.sort((a, b) -> Double.compare(b, a));
        Map<String, Integer> level = new LinkedHashMap<>();
        table.units().forEach(u -> level.put(u, -1));
        // the strategy's network with every unit whole: a variant that also changes the head (thinet-gap,
        // thinet-tiny) saves there whatever the ratios, and that saving is no unit's step
        double whole = cost(strategy, ctx, backbone, table.units(), Map.of(), cost);
        double c = whole;
        double drop = 0;
        long started = System.nanoTime();
        int steps = 0;
        while (c > goal) {
            org.waecompress.spi.error.StopRequest.check("budget search");
            String best = null;
            double bestRate = Double.POSITIVE_INFINITY;
            double bestCost = 0;
            double bestDelta = 0;
            int bestLevel = 0;
            for (String u : table.units()) {
                // the unit's next lower ratio that saves anything: a ratio whose count rounds to the same channel
                // multiple, or (in time) one that misses the runtime's layout, saves nothing, and the search
                // looks past it rather than leave the unit where it is
                int now = level.get(u);
                int next = now + 1;
                double m = Double.NaN;
                for (; next < ratios.size(); next++) {
                    level.put(u, next);
                    m = cost(strategy, ctx, backbone, table.units(), ratiosOf(level, ratios), cost);
                    if (m < c) {
                        break;
                    }
                }
                level.put(u, now);
                if (next >= ratios.size()) {
                    continue;
                }
                double saved = c - m;
                double delta = predicted(table, u, ratios.get(next)) - (now < 0 ? 0
                        : predicted(table, u, ratios.get(now)));
                double rate = delta / saved;
                if (rate < bestRate || (rate == bestRate && m < bestCost)) {
                    best = u;
                    bestRate = rate;
                    bestCost = m;
                    bestDelta = delta;
                    bestLevel = next;
                }
            }
            if (best == null) {
                break;
            }
            level.put(best, bestLevel);
            steps++;
            if (cost != MACS) {
                double secs = (System.nanoTime() - started) / 1e9;
                double left = Math.max(0, (bestCost - goal) / Math.max(1e-12, (whole - bestCost) / steps));
                listener.message(String.format(Locale.ROOT, "budget search step %d: %s to %s, %s (goal %s); "
                        + "%s elapsed, about %s left", steps, best, ratios.get(level.get(best)),
                        cost.format(bestCost), cost.format(goal), Progress.formatDuration(secs),
                        Progress.formatDuration(secs / steps * Math.ceil(left))));
            }
            c = bestCost;
            drop += bestDelta;
        }
        if (c <= goal) {
            // the last step may overshoot: give back, most costly first, every step the target can spare
            boolean changed = true;
            while (changed) {
                changed = false;
                List<String> byCost = new ArrayList<>(table.units());
                byCost.sort((a, b) -> Double.compare(stepCost(table, b, level.get(b), ratios),
                        stepCost(table, a, level.get(a), ratios)));
                for (String u : byCost) {
                    int l = level.get(u);
                    // only a step that raised the predicted loss is worth giving back: one whose measured cost
                    // is negative (noise) or nothing would cost and raise the loss
                    if (l < 0 || stepCost(table, u, l, ratios) <= 0) {
                        continue;
                    }
                    level.put(u, l - 1);
                    double m = cost(strategy, ctx, backbone, table.units(), ratiosOf(level, ratios), cost);
                    if (m <= goal) {
                        drop -= stepCost(table, u, l, ratios);
                        c = m;
                        changed = true;
                        break;
                    }
                    level.put(u, l);
                }
            }
        }
        Map<String, Double> found = ratiosOf(level, ratios);
        long macs = (long) cost(strategy, ctx, backbone, table.units(), found, MACS);
        return new Budget(found, macs, c, goal, base, whole, cost, drop, c <= goal);
    }

    /** The predicted points a unit's last step (to its current level) added; 0 for an uncompressed unit. */
    private static double stepCost(SensitivityAnalysis.Result table, String unit, int level, List<Double> ratios) {
        if (level < 0) {
            return 0;
        }
        return predicted(table, unit, ratios.get(level)) - (level == 0 ? 0 : predicted(table, unit,
                ratios.get(level - 1)));
    }

    /** A unit's predicted loss at a ratio: its measured drop, at least 0. */
    private static double predicted(SensitivityAnalysis.Result table, String unit, double ratio) {
        SensitivityCell c = table.cell(unit, ratio);
        return c == null ? 0 : Math.max(0, c.drop());
    }

    private static Map<String, Double> ratiosOf(Map<String, Integer> level, List<Double> ratios) {
        Map<String, Double> out = new LinkedHashMap<>();
        level.forEach((u, l) -> {
            if (l >= 0) {
                out.put(u, ratios.get(l));
            }
        });
        return out;
    }

    /**
     * The cost of the strategy's architecture with per-unit ratios (see {@link #architecture}).
     */
    static double cost(CompressionStrategy strategy, CompressionContext ctx, NetworkSpec backbone, List<String> units,
            Map<String, Double> ratios, Cost cost) {
        return cost.of(architecture(strategy, ctx, backbone, units, ratios));
    }

    /**
     * The strategy's architecture with per-unit ratios, every other unit whole (ratio 1): a variant
     * that also changes the head (thinet-gap, thinet-tiny) saves there whatever the ratios, so with no
     * unit compressed this is that variant's network, not the backbone. When every unit is whole and
     * the strategy gives no such architecture (low-rank refuses a listed layer it cannot factorise to
     * save MACs), the backbone.
     *
     * @param strategy the strategy
     * @param ctx its context
     * @param backbone the network
     * @param units every unit of the table
     * @param ratios per unit, its ratio
     * @return the network a budget with these ratios gives
     */
    public static NetworkSpec architecture(CompressionStrategy strategy, CompressionContext ctx, NetworkSpec backbone,
            List<String> units, Map<String, Double> ratios) {
        Map<String, Double> all = new LinkedHashMap<>();
        units.forEach(u -> all.put(u, ratios.getOrDefault(u, 1.0)));
        try {
            return strategy.architecture(backbone, withRatios(ctx, all));
        } catch (org.waecompress.spi.error.InvalidSettingException e) {
            if (!ratios.isEmpty()) {
                throw e;
            }
            return backbone;
        }
    }

    /**
     * A context whose {@code layerRatios} setting holds the given ratios.
     *
     * @param ctx the context
     * @param ratios per unit, its ratio
     * @return the context
     */
    public static CompressionContext withRatios(CompressionContext ctx, Map<String, Double> ratios) {
        Map<String, Object> m = new LinkedHashMap<>();
        ctx.settings().getKeys().forEachRemaining(k -> m.put(k, ctx.settings().getProperty(k)));
        m.put(LayerwiseStrategy.LAYER_RATIOS.name(), LayerwiseStrategy.format(ratios));
        return new CompressionContext(ctx.strategyId(), new MapConfiguration(m), ctx.seed(), ctx.trainData(),
                ctx.trainer(), ctx.fineTune(), ctx.progress(), ctx.outputDir());
    }
}

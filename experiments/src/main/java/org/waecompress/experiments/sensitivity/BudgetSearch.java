package org.waecompress.experiments.sensitivity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.configuration2.MapConfiguration;
import org.waecompress.experiments.result.SensitivityCell;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.LayerwiseStrategy;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.spec.NetworkSpec;

/**
 * A per-unit budget from a sensitivity table: the ratios that reach a MAC target with the least
 * predicted accuracy loss, found greedily as Distiller's sensitivity-guided schedules and AMC's budget
 * do. Every unit starts uncompressed; each step moves the one unit whose next lower ratio costs the
 * fewest predicted points per MAC saved, until the network's MACs (computed exactly from the
 * strategy's architecture with those ratios) are at or below the target; then, since the last step
 * may overshoot, steps that raised the predicted loss are given back (the costliest first) while the
 * target still holds. A variant that also changes the head starts from its own network with every
 * unit whole, so the head's saving is credited to no unit. The predicted loss of a
 * budget is the sum of its units' measured drops (negative drops count as 0), the independence
 * assumption of such schedules.
 */
public final class BudgetSearch {

    /**
     * A budget.
     *
     * @param ratios per unit, its ratio (units left uncompressed are not listed)
     * @param macs the MACs of the network with these ratios
     * @param goal the MAC target
     * @param baseMacs the uncompressed network's MACs
     * @param wholeMacs the strategy's network with every unit whole, where the search starts (below
     *     {@code baseMacs} for a variant that also changes the head)
     * @param predictedDrop the sum of the units' measured drops, in points
     * @param met whether the MACs are at or below the target (false: every unit at its lowest ratio)
     */
    public record Budget(Map<String, Double> ratios, long macs, long goal, long baseMacs, long wholeMacs,
            double predictedDrop, boolean met) {

        /**
         * Says how the budget relates to its target, in one line.
         *
         * @return the verdict
         */
        public String verdict() {
            String head = wholeMacs < baseMacs ? String.format(java.util.Locale.ROOT, "; with every unit whole the "
                    + "strategy's network has %s MACs (%.2fx fewer: what it changes besides its units)",
                    CostReport.human(wholeMacs), baseMacs / (double) wholeMacs) : "";
            return (met ? String.format(java.util.Locale.ROOT, "meets the target: %s MACs (%.2fx fewer) against "
                    + "%s (%.2fx)", CostReport.human(macs), baseMacs / (double) macs, CostReport.human(goal),
                    baseMacs / (double) goal)
                    : String.format(java.util.Locale.ROOT, "cannot meet the target with these ratios: every unit at "
                    + "its lowest ratio leaves %s MACs (%.2fx fewer) against %s (%.2fx); add lower ratios",
                    CostReport.human(macs), baseMacs / (double) macs, CostReport.human(goal),
                    baseMacs / (double) goal)) + head;
        }
    }

    private BudgetSearch() {}

    /**
     * Searches a budget.
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
        long goal = (long) Math.floor(base / targetSpeedup);
        List<Double> ratios = new ArrayList<>(table.ratios());
        ratios.sort((a, b) -> Double.compare(b, a));
        Map<String, Integer> level = new LinkedHashMap<>();
        table.units().forEach(u -> level.put(u, -1));
        // the strategy's network with every unit whole: a variant that also changes the head (thinet-gap,
        // thinet-tiny) saves MACs there whatever the ratios, and that saving is no unit's step
        long whole = macs(strategy, ctx, backbone, table.units(), Map.of());
        long macs = whole;
        double drop = 0;
        while (macs > goal) {
            String best = null;
            double bestRate = Double.POSITIVE_INFINITY;
            long bestMacs = 0;
            double bestDelta = 0;
            for (String u : table.units()) {
                int next = level.get(u) + 1;
                if (next >= ratios.size()) {
                    continue;
                }
                level.put(u, next);
                long m = macs(strategy, ctx, backbone, table.units(), ratiosOf(level, ratios));
                level.put(u, next - 1);
                long saved = macs - m;
                if (saved <= 0) {
                    continue;
                }
                double delta = predicted(table, u, ratios.get(next)) - (next == 0 ? 0
                        : predicted(table, u, ratios.get(next - 1)));
                double rate = delta / saved;
                if (rate < bestRate || (rate == bestRate && m < bestMacs)) {
                    best = u;
                    bestRate = rate;
                    bestMacs = m;
                    bestDelta = delta;
                }
            }
            if (best == null) {
                break;
            }
            level.put(best, level.get(best) + 1);
            macs = bestMacs;
            drop += bestDelta;
        }
        if (macs <= goal) {
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
                    // is negative (noise) or nothing would cost MACs and raise the loss
                    if (l < 0 || stepCost(table, u, l, ratios) <= 0) {
                        continue;
                    }
                    level.put(u, l - 1);
                    long m = macs(strategy, ctx, backbone, table.units(), ratiosOf(level, ratios));
                    if (m <= goal) {
                        drop -= stepCost(table, u, l, ratios);
                        macs = m;
                        changed = true;
                        break;
                    }
                    level.put(u, l);
                }
            }
        }
        return new Budget(ratiosOf(level, ratios), macs, goal, base, whole, drop, macs <= goal);
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
     * The MACs of the strategy's architecture with per-unit ratios, every other unit whole (ratio 1): a
     * variant that also changes the head (thinet-gap, thinet-tiny) saves MACs there whatever the ratios,
     * so with no unit compressed this is that variant's network, not the backbone. When every unit is
     * whole and the strategy gives no such architecture (low-rank refuses a listed layer it cannot
     * factorise to save MACs), the backbone's.
     *
     * @param strategy the strategy
     * @param ctx its context
     * @param backbone the network
     * @param units every unit of the table
     * @param ratios per unit, its ratio
     * @return the MACs
     */
    static long macs(CompressionStrategy strategy, CompressionContext ctx, NetworkSpec backbone, List<String> units,
            Map<String, Double> ratios) {
        Map<String, Double> all = new LinkedHashMap<>();
        units.forEach(u -> all.put(u, ratios.getOrDefault(u, 1.0)));
        if (ratios.isEmpty()) {
            try {
                return CostReport.of(strategy.architecture(backbone, withRatios(ctx, all))).totalMacs();
            } catch (org.waecompress.spi.InvalidSettingException e) {
                return CostReport.of(backbone).totalMacs();
            }
        }
        return CostReport.of(strategy.architecture(backbone, withRatios(ctx, all))).totalMacs();
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

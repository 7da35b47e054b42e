package org.waecompress.baselines.taylor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import org.waecompress.baselines.common.ChannelSurgery;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.InvalidSettingException;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.Layers;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SpecRewriter;

/**
 * Iterative pruning with the Taylor criterion (Molchanov et al., ICLR 2017): score every prunable
 * feature map on training batches, remove the globally lowest-ranked ones, fine-tune a few steps,
 * repeat until the network's MACs meet the target, then fine-tune. Optional FLOPs regularisation
 * subtracts {@code lambda} times a feature map's share of the MACs from its score, pruning expensive
 * maps first.
 *
 * <p>Operating points (by MAC reduction, the paper's VGG16 figures from memory; see
 * docs/strategies.md): {@code taylor-1} 2.5x, {@code taylor-2} 3.9x.
 */
public final class TaylorStrategy implements CompressionStrategy {

    private final String id;
    private final double defaultTarget;

    /**
     * Creates an operating point.
     *
     * @param id the strategy id
     * @param defaultTarget the default MAC reduction target
     */
    public TaylorStrategy(String id, double defaultTarget) {
        this.id = id;
        this.defaultTarget = defaultTarget;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String description() {
        return String.format(Locale.ROOT, "Taylor-criterion iterative pruning to %.1fx fewer MACs (Molchanov et al., "
                + "ICLR 2017)", defaultTarget);
    }

    /**
     * Settings.
     *
     * @param target MAC reduction target
     * @param channelsPerStep feature maps removed per step
     * @param batches criterion batches per step
     * @param stepFineTuneSteps training steps after each removal
     * @param flopsLambda FLOPs regularisation weight
     * @param fineTuneEpochs final fine-tuning epochs
     */
    record Settings(double target, int channelsPerStep, int batches, int stepFineTuneSteps, double flopsLambda,
            int fineTuneEpochs) {}

    @Override
    public Map<String, String> defaultSettings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("targetSpeedup", Double.toString(defaultTarget));
        m.put("channelsPerStep", "0 (auto: 5% of the prunable feature maps)");
        m.put("batches", "4");
        m.put("stepFineTuneSteps", "5");
        m.put("flopsLambda", "0");
        m.put("fineTuneEpochs", "the run's fine-tune epochs");
        return m;
    }

    Settings settings(CompressionContext ctx) {
        double t = ctx.number("targetSpeedup", defaultTarget);
        InvalidSettingException.check(t > 1, ctx.key("targetSpeedup"), t, "must be > 1");
        int k = (int) ctx.number("channelsPerStep", 0);
        InvalidSettingException.check(k >= 0, ctx.key("channelsPerStep"), k, "must be >= 0 (0 = auto)");
        int b = (int) ctx.number("batches", 4);
        InvalidSettingException.check(b >= 1, ctx.key("batches"), b, "must be >= 1");
        int s = (int) ctx.number("stepFineTuneSteps", 5);
        InvalidSettingException.check(s >= 0, ctx.key("stepFineTuneSteps"), s, "must be >= 0");
        double l = ctx.number("flopsLambda", 0);
        InvalidSettingException.check(l >= 0, ctx.key("flopsLambda"), l, "must be >= 0");
        int f = (int) ctx.number("fineTuneEpochs", ctx.fineTune() == null ? 0 : ctx.fineTune().epochs());
        InvalidSettingException.check(f >= 0, ctx.key("fineTuneEpochs"), f, "must be >= 0");
        return new Settings(t, k, b, s, l, f);
    }

    static List<String> prunable(NetworkSpec spec) {
        List<String> p = ChannelSurgery.prunable(spec);
        if (p.isEmpty()) {
            throw new InvalidSettingException("backbone", spec.name(), "has no prunable layer for Taylor pruning");
        }
        return p;
    }

    static NetworkSpec uniform(NetworkSpec spec, List<String> layers, double ratio) {
        return SpecRewriter.rewrite(spec, (p, leaf, in) -> layers.contains(p) && leaf instanceof Layers.Conv c
                ? c.withOut(Math.max(1, (int) Math.round(c.out() * ratio))) : leaf);
    }

    /** Checks that the target is reachable: every prunable layer at one channel must get below it. */
    static long checkReachable(NetworkSpec spec, List<String> layers, double target, String key) {
        long base = CostReport.of(spec).totalMacs();
        long goal = (long) (base / target);
        long floor = CostReport.of(uniform(spec, layers, 1e-9)).totalMacs();
        if (floor > goal) {
            throw new InvalidSettingException(key, target, String.format(Locale.ROOT, "is unreachable: pruning every "
                    + "prunable layer of %s to one channel leaves %s of %s MACs (%.2fx at most)", spec.name(),
                    CostReport.human(floor), CostReport.human(base), base / (double) floor));
        }
        return goal;
    }

    /**
     * The architecture without data: every prunable layer pruned by the same ratio, chosen to meet
     * the MAC target (Taylor's own per-layer allocation needs training data).
     */
    @Override
    public NetworkSpec architecture(NetworkSpec backbone, CompressionContext ctx) {
        Settings s = settings(ctx);
        List<String> layers = prunable(backbone);
        long goal = checkReachable(backbone, layers, s.target(), ctx.key("targetSpeedup"));
        double lo = 0;
        double hi = 1;
        for (int i = 0; i < 40; i++) {
            double mid = (lo + hi) / 2;
            if (CostReport.of(uniform(backbone, layers, mid)).totalMacs() > goal) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return uniform(backbone, layers, Math.max(lo, 1e-9)).withName(id + "-" + backbone.name());
    }

    @Override
    public Network compress(Network trained, CompressionContext ctx) {
        Settings s = settings(ctx);
        List<String> layers = prunable(trained.spec());
        long goal = checkReachable(trained.spec(), layers, s.target(), ctx.key("targetSpeedup"));
        int total = layers.stream().mapToInt(p -> ((Layers.Conv) trained.spec().node(p)).out()).sum();
        int perStep = s.channelsPerStep() > 0 ? s.channelsPerStep() : Math.max(1, total / 20);
        Network net = Network.of(trained.spec(), trained.classes(), trained.weights(), "taylor start");
        int step = 0;
        while (CostReport.of(net.spec()).totalMacs() > goal) {
            Map<String, double[]> scores = TaylorCriterion.normalise(TaylorCriterion.rawScores(net, layers,
                    ctx.trainData(), s.batches(), ctx.fineTune().batchSize(), step * 997));
            record Candidate(String layer, int channel, double score) {}
            List<Candidate> all = new ArrayList<>();
            CostReport cost = CostReport.of(net.spec());
            for (Map.Entry<String, double[]> e : scores.entrySet()) {
                double perMap = s.flopsLambda() > 0 ? mapCost(net.spec(), cost, e.getKey()) / cost.totalMacs() : 0;
                for (int c = 0; c < e.getValue().length; c++) {
                    all.add(new Candidate(e.getKey(), c, e.getValue()[c] - s.flopsLambda() * perMap));
                }
            }
            all.sort(Comparator.comparingDouble(Candidate::score));
            Map<String, List<Integer>> remove = new LinkedHashMap<>();
            for (Candidate c : all) {
                if (remove.values().stream().mapToInt(List::size).sum() >= perStep) {
                    break;
                }
                int width = scores.get(c.layer()).length;
                List<Integer> r = remove.computeIfAbsent(c.layer(), k -> new ArrayList<>());
                if (width - r.size() > 1) {
                    r.add(c.channel());
                }
            }
            if (remove.values().stream().allMatch(List::isEmpty)) {
                break;
            }
            for (Map.Entry<String, List<Integer>> e : remove.entrySet()) {
                int width = ((Layers.Conv) net.spec().node(e.getKey())).out();
                int[] keep = IntStream.range(0, width).filter(c -> !e.getValue().contains(c)).toArray();
                Network pruned = ChannelSurgery.prune(net, e.getKey(), keep);
                net.close();
                net = pruned;
            }
            step++;
            ctx.progress().message(String.format(Locale.ROOT, "%s: step %d, %s MACs (target %s)", id, step,
                    CostReport.human(CostReport.of(net.spec()).totalMacs()), CostReport.human(goal)));
            if (s.stepFineTuneSteps() > 0) {
                Network tuned = ctx.trainer().train(id + " step " + step, net, ctx.trainData(),
                        ctx.fineTune().toBuilder().epochs(1).maxBatchesPerEpoch(s.stepFineTuneSteps())
                                .learningRate(ctx.fineTune().learningRate() / 10).build()).network();
                net.close();
                net = tuned;
            }
        }
        if (s.fineTuneEpochs() > 0) {
            Network tuned = ctx.trainer().train(id + " final fine-tune", net, ctx.trainData(),
                    ctx.fineTune().toBuilder().epochs(s.fineTuneEpochs())
                            .learningRate(ctx.fineTune().learningRate() / 10).build()).network();
            net.close();
            net = tuned;
        }
        try (Network last = net) {
            return Network.of(last.spec().withName(id + "-" + trained.spec().name()), last.classes(), last.weights(),
                    id);
        }
    }

    /** MACs that one feature map of a layer costs: its filter, and its share of the consumer. */
    private static double mapCost(NetworkSpec spec, CostReport cost, String layer) {
        Layers.Conv c = (Layers.Conv) spec.node(layer);
        ChannelSurgery.Readers r = ChannelSurgery.readers(spec, layer);
        return cost.macsOf(layer) / (double) c.out() + cost.macsOf(r.consumer()) / (double) c.out();
    }
}

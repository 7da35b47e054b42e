package org.waecompress.baselines.taylor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.LayerwiseStrategy;
import org.waecompress.spi.StagedPruning;
import org.waecompress.spi.cost.CostReport;
import org.waecompress.spi.cost.LayerCost;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.setting.Setting;
import org.waecompress.spi.spec.ChannelMultiple;
import org.waecompress.spi.spec.ConvSpec;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.SpecException;
import org.waecompress.spi.spec.SpecRewriter;
import org.waecompress.spi.surgery.ChannelGroups;
import org.waecompress.spi.surgery.ChannelSurgery;

/**
 * Iterative pruning with the Taylor criterion (Molchanov et al., ICLR 2017): score every prunable
 * feature map on training batches, remove the globally lowest-ranked ones, fine-tune a few steps,
 * repeat until the network's MACs meet the target, then fine-tune. Optional FLOPs regularisation
 * subtracts {@code lambda} times a feature map's share of the MACs from its score, pruning expensive
 * maps first.
 *
 * <p>Operating points (by MAC reduction, the paper's VGG16 figures from memory; see
 * docs/strategies.md): {@code taylor-1} 2.5x, {@code taylor-2} 3.9x.
 *
 * <p>Over 400 lines because the data-free architecture (the widths a MAC target gives, for speed tables and
 * budgets) and the data-driven loop must pick the same groups and round them the same way; the criterion
 * is {@link TaylorCriterion}'s, the loop's checkpoints {@code StagedPruning}'s.
 */
public final class TaylorStrategy implements CompressionStrategy, LayerwiseStrategy {

    static final Setting<Double> TARGET = Setting.real("targetSpeedup", 2.5,
            "MAC reduction to reach (taylor-1: 2.5, taylor-2: 3.9)").above(1);
    static final Setting<Integer> CHANNELS_PER_STEP = Setting.integer("channelsPerStep", 0,
            "feature maps removed per pruning step (0 = auto: 5% of the prunable maps; the paper removes one)")
            .atLeast(0).shownAs("0 (auto: 5% of the prunable feature maps)");
    static final Setting<Integer> BATCHES = Setting.integer("batches", 4,
            "training batches the criterion is averaged over at each step").atLeast(1);
    static final Setting<Integer> STEP_FINE_TUNE_STEPS = Setting.integer("stepFineTuneSteps", 5,
            "training steps after each pruning step").atLeast(0);
    static final Setting<Double> FLOPS_LAMBDA = Setting.real("flopsLambda", 0,
            "FLOPs regularisation weight (0 = off; the paper's 1e-3 with flopsUnit=mflops)").atLeast(0)
            .shownAs("0 (off; the paper's 1e-3 with flopsUnit=mflops)");
    static final Setting<String> FLOPS_UNIT = Setting.choice("flopsUnit", "share",
            "cost of a map in the FLOPs term: share (its share of the network's MACs, consumers included) or "
                    + "mflops (the paper's: the producing convolution's FLOPs per map, in millions)", "share",
                            "mflops");
    static final Setting<Integer> FINE_TUNE_EPOCHS = CompressionContext.fineTuneEpochs(0,
            "epochs of fine-tuning at the end");
    static final Setting<Double> RATE_FACTOR = CompressionContext.fineTuneRateFactor(0.1,
            "the fine-tunes' rate as a factor of the run's fine-tune rate (the paper's: a tenth)");
    static final Setting<String> GROUPS = Setting.text("groups", "inner",
            "which channel groups may be pruned: inner (convs read by one layer and not coupled by a residual "
                    + "addition), all (also every coupled group such as ResNet residual streams), or comma-separated "
                    + "conv paths whose groups to add");

    static final Setting<Integer> CHANNEL_MULTIPLE = ChannelMultiple.setting(1, "every pruned group stays at a "
            + "multiple of this (never below one multiple): each step rounds the maps it removes per group to what "
            + "leaves a multiple; 8 or 16 fit the blocked layouts of ONNX Runtime's and oneDNN's kernels");

    private static final List<Setting<?>> SETTINGS = List.of(TARGET, CHANNELS_PER_STEP, BATCHES, STEP_FINE_TUNE_STEPS,
            FLOPS_LAMBDA, FLOPS_UNIT, FINE_TUNE_EPOCHS, RATE_FACTOR, GROUPS, CHANNEL_MULTIPLE,
            LayerwiseStrategy.LAYER_RATIOS);

    @Override
    public String id() {
        return "taylor-1";
    }

    @Override
    public String description() {
        return "Taylor-criterion iterative pruning to 2.5x fewer MACs (Molchanov et al., ICLR 2017)";
    }

    /**
     * Settings.
     *
     * @param target MAC reduction target
     * @param channelsPerStep feature maps removed per step
     * @param batches criterion batches per step
     * @param stepFineTuneSteps training steps after each removal
     * @param flops the FLOPs regularisation term
     * @param fineTuneEpochs final fine-tuning epochs
     * @param groups which channel groups may be pruned: {@code inner}, {@code all} or conv paths
     * @param fineTuneRate the rate of the step and final fine-tunes
     * @param channelMultiple every pruned group's width is a multiple of it
     * @param multipleKey the multiple's full key, for messages
     */
    record Settings(double target, int channelsPerStep, int batches, int stepFineTuneSteps, FlopsTerm flops,
            int fineTuneEpochs, String groups, double fineTuneRate, int channelMultiple, String multipleKey) {

        /** These settings with another channel multiple (what {@code auto} resolves to for a network). */
        Settings withChannelMultiple(int multiple) {
            return new Settings(target, channelsPerStep, batches, stepFineTuneSteps, flops, fineTuneEpochs, groups,
                    fineTuneRate, multiple, multipleKey);
        }
    }

    /**
     * Molchanov et al.'s FLOPs regularisation, {@code score - lambda * cost of the map}.
     *
     * @param lambda the weight; 0 turns the term off
     * @param unit {@code share}: the map's MACs (its filters and its share of every consumer) as a fraction
     *     of the network's MACs; {@code mflops}: the paper's per-layer cost of one feature map,
     *     {@code 2 * H * W * C_in * K * K} FLOPs of the producing convolution, in millions (with the
     *     paper's lambda of 1e-3 this is the scale at which the term is comparable to the L2-normalised
     *     criterion on VGG16: 0.058 for conv1_2's maps, 0.0018 for conv5_3's)
     */
    record FlopsTerm(double lambda, String unit) {
        static final FlopsTerm OFF = new FlopsTerm(0, "share");

        double of(ChannelGroups.Group g, CostReport cost) {
            if (lambda == 0) {
                return 0;
            }
            double perMap = "mflops".equals(unit) ? producerFlops(g, cost) / 1e6 : mapCost(g, cost) / cost.totalMacs();
            return lambda * perMap;
        }
    }

    @Override
    public List<Setting<?>> settings() {
        return SETTINGS;
    }

    @Override
    public String tableNote(CompressionContext ctx) {
        int k = ctx.get(CHANNELS_PER_STEP);
        return "removes " + (k == 0 ? "5% of the prunable maps" : k + " maps") + " per step (channelsPerStep; the "
                + "paper removes one map per step)";
    }

    @Override
    public String architectureNote(CompressionContext ctx) {
        return LayerwiseStrategy.layerRatios(ctx, null).isEmpty() ? "without data every prunable layer keeps the "
                + "same fraction of its maps that meets the MAC target, not the per-layer counts its data-driven "
                + "ranking gives" : null;
    }

    @Override
    public void checkSettings(CompressionContext ctx) {
        settings(ctx);
    }

    Settings settings(CompressionContext ctx) {
        String[] listed = ctx.settings().getStringArray(GROUPS.name());
        String g = listed.length == 0 ? GROUPS.defaultValue() : String.join(",", listed).trim();
        InvalidSettingException.check(!g.isEmpty(), ctx.key(GROUPS.name()), g, "must be inner, all or conv paths");
        return new Settings(ctx.get(TARGET), ctx.get(CHANNELS_PER_STEP), ctx.get(BATCHES),
                ctx.get(STEP_FINE_TUNE_STEPS),
                new FlopsTerm(ctx.get(FLOPS_LAMBDA), ctx.get(FLOPS_UNIT)),
                ctx.fineTuneEpochs(FINE_TUNE_EPOCHS), g,
                ctx.fineTune() == null ? 0 : ctx.fineTuneRate(RATE_FACTOR), ctx.get(CHANNEL_MULTIPLE),
                ctx.key(CHANNEL_MULTIPLE.name()));
    }

    /**
     * Returns the channel groups to prune, named by their first producer.
     *
     * @param spec the spec
     * @param groups the {@code groups} setting
     * @param key its key, for errors
     * @return the groups' names
     */
    static List<String> prunable(NetworkSpec spec, String groups, String key) {
        List<ChannelGroups.Group> all = ChannelGroups.all(spec);
        List<String> names = new ArrayList<>();
        if (groups.equals("all")) {
            all.forEach(g -> names.add(g.name()));
        } else {
            all.stream().filter(ChannelGroups.Group::simple).forEach(g -> names.add(g.name()));
            if (!groups.equals("inner")) {
                for (String conv : groups.split(",")) {
                    ChannelGroups.Group g;
                    try {
                        g = ChannelGroups.of(spec, conv.trim());
                    } catch (SpecException e) {
                        throw new InvalidSettingException(key, groups, "names a layer whose channels cannot be pruned ("
                                + e.getMessage() + "); use inner, all or paths of convolutions");
                    }
                    if (!names.contains(g.name())) {
                        names.add(g.name());
                    }
                }
            }
        }
        if (names.isEmpty()) {
            throw new InvalidSettingException("backbone", spec.name(), "has no prunable layer for Taylor pruning");
        }
        return names;
    }

    /** The named groups of a spec, from one analysis. */
    static Map<String, ChannelGroups.Group> byName(NetworkSpec spec, List<String> names) {
        Map<String, ChannelGroups.Group> all = new LinkedHashMap<>();
        ChannelGroups.all(spec).forEach(g -> all.put(g.name(), g));
        Map<String, ChannelGroups.Group> out = new LinkedHashMap<>();
        names.forEach(n -> out.put(n, all.get(n)));
        return out;
    }

    /** The producers of the groups. */
    static List<String> producers(Map<String, ChannelGroups.Group> groups) {
        return groups.values().stream().flatMap(g -> g.producers().stream()).toList();
    }

    static NetworkSpec uniform(NetworkSpec spec, List<String> groups, double ratio) {
        return uniform(spec, groups, ratio, 1);
    }

    /** Every listed group at the same ratio, each width rounded to the multiple. */
    static NetworkSpec uniform(NetworkSpec spec, List<String> groups, double ratio, int multiple) {
        List<String> layers = producers(byName(spec, groups));
        return SpecRewriter.rewrite(spec, (p, leaf, in) -> layers.contains(p) && leaf instanceof ConvSpec c
                ? c.withOut(ChannelMultiple.round(c.out() * ratio, c.out(), multiple)) : leaf);
    }

    /** Each listed group's width at its ratio (groups at ratio 1 left out), in network order. */
    static Map<String, Integer> widths(NetworkSpec spec, Map<String, Double> ratios) {
        return widths(spec, ratios, 1);
    }

    /** Each listed group's width at its ratio rounded to the multiple (groups at ratio 1 left out). */
    static Map<String, Integer> widths(NetworkSpec spec, Map<String, Double> ratios, int multiple) {
        Map<String, Integer> out = new LinkedHashMap<>();
        byName(spec, List.copyOf(ratios.keySet())).forEach((name, g) -> {
            if (ratios.get(name) < 1) {
                out.put(name, ChannelMultiple.round(g.channels() * ratios.get(name), g.channels(), multiple));
            }
        });
        return out;
    }

    /** The spec with each group's producers at the given width. */
    static NetworkSpec perGroup(NetworkSpec spec, Map<String, Integer> widths) {
        Map<String, Integer> byProducer = new LinkedHashMap<>();
        byName(spec, List.copyOf(widths.keySet())).forEach((name, g) -> g.producers().forEach(p -> byProducer.put(p,
                widths.get(name))));
        return SpecRewriter.rewrite(spec, (p, leaf, in) -> byProducer.containsKey(p) && leaf instanceof ConvSpec c
                ? c.withOut(byProducer.get(p)) : leaf);
    }

    /**
     * The settings with the channel multiple resolved for this network ({@code auto}: the runtime's block,
     * narrower than the widest group; a number checked).
     */
    private static Settings resolved(NetworkSpec spec, List<String> groups, Settings s) {
        int widest = byName(spec, groups).values().stream().mapToInt(ChannelGroups.Group::channels).max().orElse(0);
        return s.withChannelMultiple(ChannelMultiple.resolve(s.channelMultiple(), widest,
                ChannelMultiple.runtimeBlock(), s.multipleKey(), spec.name()));
    }

    /** Whether some group is still wider than its floor. */
    private static boolean above(NetworkSpec spec, Map<String, Integer> floors) {
        return byName(spec, List.copyOf(floors.keySet())).entrySet().stream().anyMatch(e -> e.getValue().channels()
                > floors.get(e.getKey()));
    }

    @Override
    public List<String> units(NetworkSpec spec, CompressionContext ctx) {
        return prunable(spec, settings(ctx).groups(), ctx.key(GROUPS.name()));
    }

    /** Prunes one group to its ratio by the criterion, the channels with the lowest scores first. */
    @Override
    public Network compressUnit(Network net, String unit, double ratio, CompressionContext ctx) {
        Settings s = settings(ctx);
        Map<String, ChannelGroups.Group> one = byName(net.spec(), List.of(unit));
        ChannelGroups.Group g = one.get(unit);
        double[] scores = groupScores(one, TaylorCriterion.rawScores(net, g.producers(), ctx.trainData(), s.batches(),
                ctx.fineTune().batchSize(), 0)).get(unit);
        int keep = Math.max(1, (int) Math.round(g.channels() * ratio));
        return ChannelSurgery.prune(net, g, highest(scores, keep));
    }

    /**
     * Returns the channels a unit keeps: the {@code keep} highest-scored, in channel order (the criterion
     * removes the least important maps).
     *
     * @param scores one score per channel
     * @param keep how many to keep
     * @return the kept channels, ascending
     */
    static int[] highest(double[] scores, int keep) {
        return IntStream.range(0, scores.length).boxed().sorted((a, b) -> Double.compare(scores[b], scores[a]))
                .limit(keep).mapToInt(Integer::intValue).sorted().toArray();
    }

    /**
     * Picks one pruning step's channels from the criterion's raw scores: normalised by their L2 norm within
     * each group first (the paper's rescaling, without which a layer whose scores are larger in scale would
     * never lose a channel), then the {@code perStep} lowest over all groups.
     *
     * @param raw raw scores per group
     * @param groups the groups
     * @param cost the network's cost
     * @param flops the FLOPs regularisation term
     * @param perStep channels to remove
     * @param floors per group, the width it keeps
     * @return per group, the channels to remove
     */
    static Map<String, List<Integer>> step(Map<String, double[]> raw, Map<String, ChannelGroups.Group> groups,
            CostReport cost, FlopsTerm flops, int perStep, Map<String, Integer> floors) {
        return lowest(TaylorCriterion.normalise(raw), groups, cost, flops, perStep, floors);
    }

    /**
     * A step that keeps every group at a multiple: the globally lowest maps are picked as in {@link
     * #step(Map, Map, CostReport, FlopsTerm, int, Map)}, then each group's new width goes to the multiple
     * nearest to what the pick leaves (never below its floor), taking or sparing its own lowest-scored
     * maps; when every group would round back to no removal, the group the pick took most from loses one
     * multiple, so that each step makes progress.
     *
     * @param multiple the multiple, above 1 ({@code auto} resolved for the network by the caller)
     * @return per group, the channels to remove
     */
    static Map<String, List<Integer>> step(Map<String, double[]> raw, Map<String, ChannelGroups.Group> groups,
            CostReport cost, FlopsTerm flops, int perStep, Map<String, Integer> floors, int multiple) {
        Map<String, double[]> scores = TaylorCriterion.normalise(raw);
        Map<String, List<Integer>> picked = lowest(scores, groups, cost, flops, perStep, floors);
        if (multiple <= 1) {
            return picked;
        }
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        String most = null;
        for (Map.Entry<String, double[]> e : scores.entrySet()) {
            int w = e.getValue().length;
            int k = picked.getOrDefault(e.getKey(), List.of()).size();
            int floor = Math.max(floors.getOrDefault(e.getKey(), 1), Math.min(multiple, w));
            int kept = Math.max(floor, Math.min(w, (int) Math.round((w - k) / (double) multiple) * multiple));
            if (kept < w) {
                out.put(e.getKey(), lowestOf(e.getValue(), w - kept));
            }
            if (k > 0 && (most == null || k > picked.get(most).size())) {
                most = e.getKey();
            }
        }
        if (out.isEmpty() && most != null) {
            double[] sc = scores.get(most);
            int floor = Math.max(floors.getOrDefault(most, 1), Math.min(multiple, sc.length));
            int kept = Math.max(floor, ((sc.length - 1) / multiple) * multiple);
            if (kept < sc.length) {
                out.put(most, lowestOf(sc, sc.length - kept));
            }
        }
        return out;
    }

    /** The {@code n} channels with the lowest scores, lowest first. */
    private static List<Integer> lowestOf(double[] scores, int n) {
        return IntStream.range(0, scores.length).boxed().sorted(Comparator.comparingDouble(c -> scores[c])).limit(n)
                .toList();
    }

    /** Checks that the target is reachable: every prunable group at one channel must get below it. */
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
        List<String> layers = prunable(backbone, settings(ctx).groups(), ctx.key(GROUPS.name()));
        Settings s = resolved(backbone, layers, settings(ctx));
        Map<String, Double> given = LayerwiseStrategy.layerRatios(ctx, layers);
        if (!given.isEmpty()) {
            return perGroup(backbone, widths(backbone, given, s.channelMultiple()))
                    .withName(ctx.strategyId() + "-" + backbone.name());
        }
        long goal = checkReachable(backbone, layers, s.target(), ctx.key(TARGET.name()));
        double lo = 0;
        double hi = 1;
        for (int i = 0; i < 40; i++) {
            double mid = (lo + hi) / 2;
            if (CostReport.of(uniform(backbone, layers, mid, s.channelMultiple())).totalMacs()
                    > goal) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return uniform(backbone, layers, Math.max(lo, 1e-9), s.channelMultiple())
                .withName(ctx.strategyId() + "-" + backbone.name());
    }

    @Override
    public Network compress(Network trained, CompressionContext ctx) {
        List<String> all = prunable(trained.spec(), settings(ctx).groups(), ctx.key(GROUPS.name()));
        Settings s = resolved(trained.spec(), all, settings(ctx));
        Map<String, Double> given = LayerwiseStrategy.layerRatios(ctx, all);
        // per-group ratios: each listed group pruned to its width, in the same steps, with no MAC target
        int m = s.channelMultiple();
        Map<String, Integer> floors = given.isEmpty() ? new LinkedHashMap<>()
                : widths(trained.spec(), given, m);
        List<String> groups = given.isEmpty() ? all : List.copyOf(floors.keySet());
        if (given.isEmpty() && m > 1) {
            // never below one multiple
            byName(trained.spec(), groups).forEach((name, g) -> floors.put(name, ChannelMultiple.round(m,
                    g.channels(), m)));
        }
        long goal = given.isEmpty() ? checkReachable(trained.spec(), groups, s.target(), ctx.key(TARGET.name())) : 0;
        int total = byName(trained.spec(), groups).values().stream().mapToInt(ChannelGroups.Group::channels).sum();
        int perStep = s.channelsPerStep() > 0 ? s.channelsPerStep() : Math.max(1, total / 20);
        // a resumed row continues after the last step its checkpoints saved (each step's scoring seed is its own)
        String id = ctx.strategyId();
        try (StagedPruning loop = StagedPruning.start(trained, ctx)) {
            int step = loop.next();
            while (given.isEmpty() ? CostReport.of(loop.network().spec()).totalMacs() > goal
                    : above(loop.network().spec(), floors)) {
                if (given.isEmpty() && m > 1 && !above(loop.network().spec(), floors)) {
                    break;
                }
                Map<String, ChannelGroups.Group> current = byName(loop.network().spec(), groups);
                Map<String, double[]> raw = groupScores(current, TaylorCriterion.rawScores(loop.network(),
                        producers(current), ctx.trainData(), s.batches(), ctx.fineTune().batchSize(), step * 997));
                Map<String, List<Integer>> remove = step(raw, current, CostReport.of(loop.network().spec()),
                        s.flops(), perStep, floors, m);
                if (remove.values().stream().allMatch(List::isEmpty)) {
                    break;
                }
                for (Map.Entry<String, List<Integer>> e : remove.entrySet()) {
                    ChannelGroups.Group g = ChannelGroups.of(loop.network().spec(), e.getKey());
                    int[] keep = IntStream.range(0, g.channels()).filter(c -> !e.getValue().contains(c)).toArray();
                    loop.replace(ChannelSurgery.prune(loop.network(), g, keep));
                }
                step++;
                ctx.progress().message(String.format(Locale.ROOT, "%s: step %d, %s MACs (target %s)", id, step,
                        CostReport.human(CostReport.of(loop.network().spec()).totalMacs()), given.isEmpty()
                                ? CostReport.human(goal) : "per-group widths"));
                loop.fineTune("step " + step, s.stepFineTuneSteps(), s.fineTuneRate());
                loop.saved(step - 1);
            }
            return loop.finish(s.fineTuneEpochs(), s.fineTuneRate());
        }
    }

    /**
     * Picks the channels a step removes: the {@code perStep} lowest scores over all groups (each score
     * minus the FLOPs term of its map), keeping at least one channel per group.
     *
     * @param scores normalised scores per group
     * @param groups the groups
     * @param cost the network's cost
     * @param flops the FLOPs regularisation term
     * @param perStep channels to remove
     * @return per group, the channels to remove
     */
    static Map<String, List<Integer>> lowest(Map<String, double[]> scores, Map<String, ChannelGroups.Group> groups,
            CostReport cost, FlopsTerm flops, int perStep) {
        return lowest(scores, groups, cost, flops, perStep, Map.of());
    }

    /**
     * Picks the channels a step removes, as {@link #lowest(Map, Map, CostReport, FlopsTerm, int)},
     * never taking a group below its floor.
     *
     * @param floors per group, the width it keeps (missing: 1)
     */
    static Map<String, List<Integer>> lowest(Map<String, double[]> scores, Map<String, ChannelGroups.Group> groups,
            CostReport cost, FlopsTerm flops, int perStep, Map<String, Integer> floors) {
        record Candidate(String group, int channel, double score) {}
        List<Candidate> all = new ArrayList<>();
        for (Map.Entry<String, double[]> e : scores.entrySet()) {
            double term = flops.of(groups.get(e.getKey()), cost);
            for (int c = 0; c < e.getValue().length; c++) {
                all.add(new Candidate(e.getKey(), c, e.getValue()[c] - term));
            }
        }
        all.sort(Comparator.comparingDouble(Candidate::score));
        Map<String, List<Integer>> remove = new LinkedHashMap<>();
        for (Candidate c : all) {
            if (remove.values().stream().mapToInt(List::size).sum() >= perStep) {
                break;
            }
            int width = scores.get(c.group()).length;
            List<Integer> r = remove.computeIfAbsent(c.group(), k -> new ArrayList<>());
            if (width - r.size() > floors.getOrDefault(c.group(), 1)) {
                r.add(c.channel());
            }
        }
        return remove;
    }

    /**
     * A group's scores: the sum of its producers' raw scores (removing a channel of a residual
     * stream removes every producer's contribution to it).
     */
    static Map<String, double[]> groupScores(Map<String, ChannelGroups.Group> groups, Map<String, double[]> raw) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (ChannelGroups.Group g : groups.values()) {
            double[] sum = new double[g.channels()];
            for (String p : g.producers()) {
                double[] r = raw.get(p);
                for (int c = 0; c < sum.length; c++) {
                    sum[c] += r[c];
                }
            }
            out.put(g.name(), sum);
        }
        return out;
    }

    /** FLOPs of one output map of the group's producers, 2 per MAC (the paper's per-layer count). */
    private static double producerFlops(ChannelGroups.Group g, CostReport cost) {
        double macs = 0;
        for (String p : g.producers()) {
            macs += cost.macsOf(p);
        }
        return 2 * macs / g.channels();
    }

    /** MACs that one feature map of a group costs: its filters, and its share of every consumer. */
    private static double mapCost(ChannelGroups.Group g, CostReport cost) {
        double macs = 0;
        for (String p : g.producers()) {
            macs += cost.macsOf(p);
        }
        double perMap = macs / g.channels();
        for (String p : g.passThrough()) {
            // a depthwise convolution that carries the maps loses one filter with each
            for (LayerCost l : cost.layers()) {
                if (l.path().equals(p) && l.macs() > 0) {
                    perMap += l.macs() / (double) l.out().get(0);
                }
            }
        }
        for (ChannelGroups.Consumer c : g.consumers()) {
            // a consumer's share: its MACs over the maps it reads (more than the group's after a concat)
            perMap += cost.macsOf(c.path()) * c.perChannel() / (double) c.in().get(0);
        }
        return perMap;
    }
}

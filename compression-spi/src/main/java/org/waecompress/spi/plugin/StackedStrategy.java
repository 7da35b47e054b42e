package org.waecompress.spi.plugin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.commons.configuration2.ImmutableConfiguration;
import org.apache.commons.configuration2.MapConfiguration;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.NetworkSpec;

/**
 * Strategies applied one after another as one row: {@code A+B} compresses the trained backbone with
 * A, then compresses A's result with B (B sees A's network as its backbone). Each stage runs with its
 * own settings (the {@code strategy.<stage>.*} keys; a stage tuned differently inside a stack is a
 * variant) and its own fine-tuning, so the fine-tune budgets add: the row trains for what A trains
 * plus what B trains. The cost, export and latency of the row come from the final network.
 *
 * <p>A stack declares no settings of its own ({@link #settings} is empty; its stages' are theirs).
 * The context a stack's {@link #compress} receives carries every stage's settings under the stage's
 * id ({@code A.ratio}, {@code B.lambda}); {@link #stageSettings} builds that configuration from
 * per-stage settings.
 */
public final class StackedStrategy implements CompressionStrategy {

    /** The separator of stage ids in a stacked id. */
    public static final String SEPARATOR = "+";

    private final String id;
    private final List<CompressionStrategy> stages;

    /**
     * Creates a stack.
     *
     * @param stages the stages in order (at least two)
     */
    public StackedStrategy(List<CompressionStrategy> stages) {
        if (stages.size() < 2) {
            throw new IllegalArgumentException("a stack needs at least two stages, got " + stages.size());
        }
        this.stages = List.copyOf(stages);
        this.id = this.stages.stream().map(CompressionStrategy::id).collect(Collectors.joining(SEPARATOR));
    }

    /**
     * Tells whether an id names a stack.
     *
     * @param id a strategy id
     * @return true when it joins stage ids with {@link #SEPARATOR}
     */
    public static boolean isStack(String id) {
        return id.contains(SEPARATOR);
    }

    /**
     * Splits a stacked id into its stage ids.
     *
     * @param id the id
     * @return the stage ids, in order (one for a plain id)
     */
    public static List<String> stageIds(String id) {
        List<String> out = new ArrayList<>();
        int from = 0;
        int at;
        while ((at = id.indexOf(SEPARATOR, from)) >= 0) {
            out.add(id.substring(from, at).trim());
            from = at + SEPARATOR.length();
        }
        out.add(id.substring(from).trim());
        return out;
    }

    /**
     * Builds a stack's settings from each stage's: every key prefixed by its stage's id.
     *
     * @param stageSettings stage id to its settings (keys without the {@code strategy.<id>.} prefix)
     * @return the stack's settings
     */
    public static ImmutableConfiguration stageSettings(Map<String, ImmutableConfiguration> stageSettings) {
        Map<String, Object> m = new LinkedHashMap<>();
        stageSettings.forEach((stage, conf) -> conf.getKeys().forEachRemaining(k -> m.put(stage + "." + k,
                conf.getProperty(k))));
        return new MapConfiguration(m);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String description() {
        return stages.get(0).id() + ", then " + stages.subList(1, stages.size()).stream()
                .map(CompressionStrategy::id).collect(Collectors.joining(", then ")) + " on its result";
    }

    /**
     * Returns the stages.
     *
     * @return the strategies, in the order they run
     */
    public List<CompressionStrategy> stages() {
        return stages;
    }

    @Override
    public void checkSettings(CompressionContext ctx) {
        for (CompressionStrategy st : stages) {
            st.checkSettings(stage(ctx, st));
        }
    }

    /**
     * Chains the stages' architectures: each stage's on the previous one's.
     */
    @Override
    public NetworkSpec architecture(NetworkSpec backbone, CompressionContext ctx) {
        NetworkSpec spec = backbone;
        for (CompressionStrategy st : stages) {
            spec = st.architecture(spec, stage(ctx, st));
        }
        return spec.withName(ctx.strategyId() + "-" + backbone.name());
    }

    @Override
    public Network compress(Network trained, CompressionContext ctx) {
        Network net = trained;
        for (CompressionStrategy st : stages) {
            Network next;
            try {
                next = st.compress(net, stage(ctx, st));
            } catch (RuntimeException e) {
                if (net != trained) {
                    net.close();
                }
                throw e;
            }
            if (net != trained && next != net) {
                net.close();
            }
            net = next;
        }
        try (Network last = net) {
            return Network.of(last.spec().withName(ctx.strategyId() + "-" + trained.spec().name()), last.classes(),
                    last.weights(), ctx.strategyId());
        }
    }

    /**
     * Says how the stack runs and how its budget adds up, with each stage's own note.
     */
    @Override
    public String tableNote(CompressionContext ctx) {
        List<String> parts = new ArrayList<>();
        parts.add("applies " + description() + ", each stage with its own settings and fine-tuning (the budgets "
                + "add)");
        for (CompressionStrategy st : stages) {
            String note = st.tableNote(stage(ctx, st));
            if (note != null) {
                parts.add(st.id() + " " + note);
            }
        }
        return String.join("; ", parts);
    }

    /**
     * Joins the stages' architecture notes, each after its stage's id.
     */
    @Override
    public String architectureNote(CompressionContext ctx) {
        List<String> parts = new ArrayList<>();
        for (CompressionStrategy st : stages) {
            String note = st.architectureNote(stage(ctx, st));
            if (note != null) {
                parts.add(st.id() + " " + note);
            }
        }
        return parts.isEmpty() ? null : String.join("; ", parts);
    }

    /**
     * A stage's context: the stage's id, the stack's settings under the stage's prefix, and the
     * files a stage writes (WAE's channel pictures) under {@code stacks/<stack id>/} of the run folder,
     * apart from the same strategy's own row.
     */
    private static CompressionContext stage(CompressionContext ctx, CompressionStrategy st) {
        String prefix = st.id() + ".";
        Map<String, Object> m = new LinkedHashMap<>();
        ctx.settings().getKeys().forEachRemaining(k -> {
            if (k.startsWith(prefix)) {
                m.put(k.substring(prefix.length()), ctx.settings().getProperty(k));
            }
        });
        return new CompressionContext(st.id(), new MapConfiguration(m), ctx.seed(), ctx.trainData(), ctx.trainer(),
                ctx.fineTune(), ctx.progress(), ctx.outputDir() == null ? null
                        : ctx.outputDir().resolve("stacks").resolve(ctx.strategyId()));
    }
}

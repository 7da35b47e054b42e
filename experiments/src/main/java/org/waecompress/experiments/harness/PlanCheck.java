package org.waecompress.experiments.harness;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.waecompress.backbones.Backbones;
import org.waecompress.experiments.config.ExperimentConfig;
import org.waecompress.experiments.config.ExperimentSettings;
import org.waecompress.experiments.config.InputShapes;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.plugin.StackedStrategy;
import org.waecompress.spi.plugin.StrategyRegistry;
import org.waecompress.spi.plugin.StrategyVariant;
import org.waecompress.spi.setting.Setting;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.train.NetworkTrainer;
import org.waecompress.spi.train.ProgressListener;

/**
 * Checks a plan before anything is written or trained, and says what it will run: the strategies it
 * selects, every selected strategy's settings, its device and executor, its backbone's input shape, every
 * strategy's architecture on that backbone, and the effective settings (value and origin) that provenance
 * records. {@link ExperimentRunner} calls it first; {@code waec run} calls it for a plan and the plan that
 * follows it before either starts.
 */
public final class PlanCheck {

    private PlanCheck() {}

    /**
     * Returns the strategy ids a setting selects: {@code all} (every installed strategy and every
     * variant, the plan's own included), or the listed ids, each once (an empty list gives a table with
     * the backbone alone).
     *
     * @param config the configuration snapshot (its variants)
     * @param s the settings
     * @return the ids, in table order
     * @throws InvalidSettingException for an id listed twice or {@code all} among ids that are not stacks
     * @throws org.waecompress.spi.error.UnknownStrategyException for an id no plugin installs
     */
    public static List<String> selected(ExperimentConfig config, ExperimentSettings s) {
        StrategyRegistry registry = config.strategies();
        boolean all = s.strategies().contains("all");
        List<String> ids = new ArrayList<>(all ? registry.ids() : List.of());
        Set<String> seen = new java.util.HashSet<>(ids);
        for (String id : s.strategies()) {
            if (id.equals("all")) {
                continue;
            }
            if (all && !StackedStrategy.isStack(id)) {
                throw new InvalidSettingException("strategies", String.join(",", s.strategies()), "'all' can be "
                        + "combined with stacks (A+B) only, and " + id + " is already among all; give all alone, "
                        + "all with stacks, or list the ids");
            }
            if (!seen.add(id)) {
                throw new InvalidSettingException("strategies", String.join(",", s.strategies()), "names " + id
                        + " twice; every strategy is one row of the table");
            }
            registry.get(id);
            ids.add(id);
        }
        return ids;
    }

    /**
     * Checks a plan before anything is written or trained: the strategy list, and every setting of
     * every selected strategy ({@link CompressionStrategy#checkSettings}).
     *
     * @param config the configuration snapshot
     * @param s its typed settings
     * @return the selected strategy ids
     * @throws InvalidSettingException naming the first bad key
     */
    public static List<String> validate(ExperimentConfig config, ExperimentSettings s) {
        devices(s);
        RowExecutor.select(s);
        List<String> ids = selected(config, s);
        StrategyRegistry registry = config.strategies();
        for (String id : ids) {
            registry.get(id).checkSettings(planContext(id, config, s));
        }
        return ids;
    }

    /**
     * Checks a plan that needs no data (a speed table) the whole way before anything runs: its list
     * and settings ({@link #validate}), then every strategy's architecture on its backbone. A plan
     * with data gets the architecture check once its data's shape is known, before its backbone
     * trains.
     *
     * @param config the configuration snapshot
     * @param s its typed settings
     */
    public static void validateWithoutData(ExperimentConfig config, ExperimentSettings s) {
        List<String> ids = validate(config, s);
        if (!s.accuracy()) {
            if (!s.backboneOnnx().isEmpty()) {
                try (Network n = BackboneSource.importOnnx(s, null, ProgressListener.NONE)) {
                    checkArchitectures(ids, config, s, n.spec());
                }
                return;
            }
            checkArchitectures(ids, config, s, Backbones.create(s.backbone(), inputShape(s, null),
                    s.syntheticClasses(), s.width()));
        }
    }

    /**
     * Resolves the plan's {@code device} setting against the GPUs the engine sees.
     *
     * @param s the settings
     * @return the devices, the first one primary
     */
    public static List<Device> devices(ExperimentSettings s) {
        return Devices.resolve(s.device(), Engine.getInstance().getGpuCount());
    }

    /**
     * Returns a strategy's context for checks before the run: its settings and budget, no data, a trainer
     * never used.
     *
     * @param id the strategy id
     * @param config the configuration snapshot
     * @param s its typed settings
     * @return the context
     */
    public static CompressionContext planContext(String id, ExperimentConfig config, ExperimentSettings s) {
        return new CompressionContext(id, config.strategy(id), s.seed(), null,
                new NetworkTrainer(ProgressListener.NONE),
                s.finetune(), ProgressListener.NONE, null);
    }

    /**
     * Asks every selected strategy for its architecture on the run's backbone, before the backbone
     * trains: settings that only a backbone makes wrong (a layer that does not exist, a target no
     * pruning reaches) stop the run now. Strategies that need data for their architecture are
     * skipped.
     */
    static void checkArchitectures(List<String> ids, ExperimentConfig config, ExperimentSettings s,
            NetworkSpec backbone) {
        StrategyRegistry registry = config.strategies();
        for (String id : ids) {
            try {
                registry.get(id).architecture(backbone, planContext(id, config, s));
            } catch (UnsupportedOperationException e) {
                // decided by the data: checked when its row runs
            }
        }
    }

    /**
     * Returns the input shape of the plan's backbone: the data's with {@code backbone.input = auto}, else
     * the given {@code CxHxW}, which must then match the data.
     *
     * @param s the settings
     * @param data the run's data, or null for a plan without data
     * @return the shape (channels, height, width)
     * @throws InvalidSettingException naming {@code backbone.input}
     */
    static Shape inputShape(ExperimentSettings s, RunData data) {
        if (s.input().equals("auto")) {
            if (data != null) {
                return data.test().sampleShape();
            }
            return new Shape(s.syntheticChannels(), s.syntheticSize(), s.syntheticSize());
        }
        Shape sh = parsedInput(s);
        if (data != null && !data.test().sampleShape().equals(sh)) {
            throw new InvalidSettingException("backbone.input", s.input(), "the data's images are "
                    + data.test().sampleShape() + "; use auto or that shape");
        }
        return sh;
    }

    /**
     * Parses a {@code backbone.input} that is not {@code auto}.
     *
     * @param s the settings
     * @return the shape
     * @throws InvalidSettingException naming {@code backbone.input} when it is not CxHxW
     */
    static Shape parsedInput(ExperimentSettings s) {
        try {
            return InputShapes.parse(s.input());
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("backbone.input", s.input(), "must be auto or CxHxW, e.g. 3x224x224");
        }
    }

    /**
     * Returns the effective settings of the selected strategies as their declarations give them: per
     * strategy, per setting, the value and where it came from (the user's layer, the variant's
     * definition, or the declared default, which for a run-dependent default is its text).
     *
     * @param config the configuration snapshot
     * @param s its typed settings
     * @return id to setting name to {value, source}
     */
    public static Map<String, Map<String, String[]>> effectiveSettings(ExperimentConfig config, ExperimentSettings s) {
        StrategyRegistry registry = config.strategies();
        Map<String, Map<String, String[]>> out = new LinkedHashMap<>();
        for (String id : selected(config, s)) {
            CompressionStrategy st = registry.get(id);
            Map<String, String[]> m = new LinkedHashMap<>();
            if (st instanceof StackedStrategy stack) {
                // a stack's stages run with their own keys: stage.setting
                for (CompressionStrategy stage : stack.stages()) {
                    effective(stage, config).forEach((name, v) -> m.put(stage.id() + "." + name, v));
                }
            } else {
                m.putAll(effective(st, config));
            }
            out.put(id, m);
        }
        return out;
    }

    /** One strategy's settings: per setting, its value and where it came from. */
    private static Map<String, String[]> effective(CompressionStrategy st, ExperimentConfig config) {
        String id = st.id();
        Map<String, String[]> m = new LinkedHashMap<>();
        CompressionStrategy base = st instanceof StrategyVariant v ? v.base() : st;
        Map<String, String> variantValues = st instanceof StrategyVariant v ? v.values() : Map.of();
        for (Setting<?> setting : st.settings()) {
            String key = config.keyOf(id, setting.name());
            if (key != null) {
                String from = config.sources().get(key);
                m.put(setting.name(), new String[] {config.values().get(key), key.equals("strategy." + id + "."
                        + setting.name()) ? from : from + ", " + key + " (inherited from the base)"});
            } else if (variantValues.containsKey(setting.name())) {
                m.put(setting.name(), new String[] {variantValues.get(setting.name()).trim(), "variant of "
                        + base.id()});
            } else {
                m.put(setting.name(), new String[] {setting.defaultText(), "declared default"});
            }
        }
        return m;
    }
}

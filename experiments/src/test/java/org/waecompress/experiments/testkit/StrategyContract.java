package org.waecompress.experiments.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.commons.configuration2.MapConfiguration;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.waecompress.backbones.Backbones;
import org.waecompress.experiments.onnx.OnnxCheck;
import org.waecompress.experiments.onnx.OnnxExport;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.data.ArrayImageDataset;
import org.waecompress.spi.data.SyntheticImages;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.setting.Setting;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.train.NetworkTrainer;
import org.waecompress.spi.train.TrainSettings;

/**
 * The contract every strategy keeps, as tests a plugin author runs against their own strategy:
 *
 * <pre>{@code
 * class MyStrategyContractTest extends StrategyContract {
 *     @Override
 *     protected CompressionStrategy strategy() {
 *         return new MyStrategy();
 *     }
 * }
 * }</pre>
 *
 * <p>It checks that the id is well formed; that the settings are declared once with defaults they
 * allow; that a bad value of each is one line naming its key; and, compressing a small trained VGG-16-BN
 * on synthetic images once, that the input network is left unchanged, that every key the strategy
 * reads is one it declares, that {@link CompressionStrategy#architecture} is the spec of the result
 * (when the strategy can say without data), and that the result exports to ONNX and runs there as in
 * PyTorch. Override the fixture methods to fit a strategy that needs other data or settings. The
 * project runs the same checks against every built-in strategy ({@code tests/StrategyContractTest}).
 */
public abstract class StrategyContract {

    /**
     * Returns the strategy under test.
     *
     * @return the strategy
     */
    protected abstract CompressionStrategy strategy();

    /**
     * Returns the settings the compression runs with (keys without the prefix): small budgets keep the
     * check fast.
     *
     * @return the settings
     */
    protected Map<String, String> settings() {
        return Map.of();
    }

    /**
     * Returns whether {@link CompressionStrategy#architecture} gives exactly the spec {@code compress}
     * produces; false for data-dependent strategies whose architecture is a preset's.
     *
     * @return true unless overridden
     */
    protected boolean architectureIsExact() {
        return true;
    }

    /**
     * Returns the backbone the strategy compresses.
     *
     * @return a small VGG-16-BN on 1x16x16 images, 4 classes
     */
    protected NetworkSpec backbone() {
        return Backbones.create("vgg16-bn-small", new Shape(1, 16, 16), 4, 0.125);
    }

    /**
     * Returns the training data.
     *
     * @return 64 synthetic images of the backbone's shape
     */
    protected ArrayImageDataset data() {
        return SyntheticImages.create(3, 64, backbone().inputShape(), 4, 0.1);
    }

    /**
     * Returns the fine-tune budget.
     *
     * @return one epoch of two batches of 16
     */
    protected TrainSettings fineTune() {
        return TrainSettings.builder().epochs(1).batchSize(16).maxBatchesPerEpoch(2).learningRate(0.01).seed(5)
                .build();
    }

    /**
     * Returns the contract's checks for {@link #strategy()}.
     *
     * @return the tests
     */
    @TestFactory
    Stream<DynamicTest> contract() {
        return checks(strategy(), settings(), architectureIsExact(), backbone(), data(), fineTune());
    }

    /**
     * Returns the contract's checks for one strategy with the default fixture.
     *
     * @param strategy the strategy
     * @param settings its settings for the compression
     * @param exactArchitecture whether its architecture is exactly the result's spec
     * @return the tests
     */
    public static Stream<DynamicTest> checks(CompressionStrategy strategy, Map<String, String> settings,
            boolean exactArchitecture) {
        StrategyContract defaults = new StrategyContract() {
            @Override
            protected CompressionStrategy strategy() {
                return strategy;
            }
        };
        return checks(strategy, settings, exactArchitecture, defaults.backbone(), defaults.data(),
                defaults.fineTune());
    }

    private static Stream<DynamicTest> checks(CompressionStrategy strategy, Map<String, String> settings,
            boolean exactArchitecture, NetworkSpec backbone, ArrayImageDataset data, TrainSettings fineTune) {
        Run run = new Run(strategy, settings, backbone, data, fineTune);
        String id = strategy.id();
        return Stream.of(
                DynamicTest.dynamicTest(id + ": the id is lower case letters, digits and dashes", () ->
                        assertTrue(id.matches("[a-z][a-z0-9-]*"), "id '" + id + "'")),
                DynamicTest.dynamicTest(id + ": settings are declared once, with defaults they allow", () ->
                        declaredOnce(strategy)),
                DynamicTest.dynamicTest(id + ": a bad value of each setting is one line naming its key", () ->
                        badValues(strategy, backbone, fineTune)),
                DynamicTest.dynamicTest(id + ": the input network is left unchanged", run::inputUnchanged),
                DynamicTest.dynamicTest(id + ": every key it reads is declared", run::readsOnlyDeclared),
                DynamicTest.dynamicTest(id + ": architecture() is the spec of compress()'s result", () ->
                        run.architecture(exactArchitecture)),
                DynamicTest.dynamicTest(id + ": the result exports to ONNX and runs there as in PyTorch", run::onnx),
                DynamicTest.dynamicTest(id + ": (closes the compressed network)", run::close));
    }

    private static void declaredOnce(CompressionStrategy strategy) {
        Set<String> names = new HashSet<>();
        for (Setting<?> s : strategy.settings()) {
            assertTrue(names.add(s.name()), "setting " + s.name() + " is declared twice");
            assertFalse(s.doc().isBlank(), s.name() + " has no meaning");
            if (s.defaultValue() != null) {
                assertEquals(s.defaultValue(), s.parse("strategy." + strategy.id() + "." + s.name(),
                        String.valueOf(s.defaultValue())), s.name() + ": its default does not parse to itself");
            }
        }
    }

    /** Values each type refuses. */
    private static List<String> badValues(Setting<?> s) {
        return switch (s.type()) {
            case INTEGER -> List.of("1.5", "many");
            case REAL -> List.of("lots", "NaN");
            case FLAG -> List.of("maybe");
            case CHOICE -> List.of("no-such-choice");
            case TEXT -> List.of();
        };
    }

    private static void badValues(CompressionStrategy strategy, NetworkSpec backbone, TrainSettings fineTune) {
        for (Setting<?> s : strategy.settings()) {
            String key = "strategy." + strategy.id() + "." + s.name();
            for (String bad : badValues(s)) {
                // the harness refuses it with the declaration before the strategy runs ...
                InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> s.parse(key, bad));
                assertTrue(e.getMessage().startsWith(key + " = " + bad + ": must be "), e.getMessage());
                // ... and the strategy itself, reading it, names the key in one line
                CompressionContext ctx = new CompressionContext(strategy.id(), new MapConfiguration(
                        Map.of(s.name(), bad)), 1, null, new NetworkTrainer(null), fineTune, null, null);
                try {
                    strategy.checkSettings(ctx);
                    strategy.architecture(backbone, ctx);
                } catch (InvalidSettingException x) {
                    assertTrue(x.getMessage().startsWith(key + " = "), x.getMessage());
                    assertFalse(x.getMessage().contains("\n"), x.getMessage());
                } catch (UnsupportedOperationException x) {
                    // decided by the data: the harness's check stands
                }
            }
        }
    }

    /** One compression of a trained backbone, shared by the checks that need it. */
    private static final class Run {
        private final CompressionStrategy strategy;
        private final Map<String, String> settings;
        private final NetworkSpec backbone;
        private final ArrayImageDataset data;
        private final TrainSettings fineTune;
        private final Set<String> read = new TreeSet<>();
        private Network trained;
        private Map<String, float[]> before;
        private Network result;
        private Path dir;
        private RuntimeException failure;

        Run(CompressionStrategy strategy, Map<String, String> settings, NetworkSpec backbone, ArrayImageDataset data,
                TrainSettings fineTune) {
            this.strategy = strategy;
            this.settings = settings;
            this.backbone = backbone;
            this.data = data;
            this.fineTune = fineTune;
        }

        private CompressionContext context() throws IOException {
            if (dir == null) {
                dir = Files.createTempDirectory("strategy-contract-");
            }
            Set<String> sink = read;
            MapConfiguration recording = new MapConfiguration(new LinkedHashMap<>(settings)) {
                @Override
                protected Object getPropertyInternal(String key) {
                    sink.add(key);
                    return super.getPropertyInternal(key);
                }
            };
            return new CompressionContext(strategy.id(), recording, 11, data, new NetworkTrainer(null), fineTune, null,
                    dir);
        }

        private Network result() throws IOException {
            if (failure != null) {
                throw failure;
            }
            if (result == null) {
                try (Network random = Network.random(backbone, 4, 7)) {
                    trained = new NetworkTrainer(null).train("contract backbone", random, data, fineTune).network();
                }
                before = snapshot(trained);
                try {
                    result = strategy.compress(trained, context());
                } catch (RuntimeException e) {
                    failure = e;
                    throw e;
                }
                assertNotNull(result, "compress returned null");
            }
            return result;
        }

        void inputUnchanged() throws IOException {
            result();
            Map<String, float[]> after = snapshot(trained);
            assertEquals(before.keySet(), after.keySet(), "the input's parameters changed names");
            before.forEach((k, v) -> assertArrayEquals(v, after.get(k), "the input's " + k + " changed"));
        }

        void readsOnlyDeclared() throws IOException {
            result();
            Set<String> declared = new TreeSet<>();
            strategy.settings().forEach(s -> declared.add(s.name()));
            Set<String> undeclared = new TreeSet<>(read);
            undeclared.removeAll(declared);
            assertTrue(undeclared.isEmpty(), "reads keys it does not declare in settings(): " + undeclared
                    + " (a user could not set them)");
        }

        void architecture(boolean exact) throws IOException {
            NetworkSpec spec;
            try {
                spec = strategy.architecture(backbone, context());
            } catch (UnsupportedOperationException e) {
                return;
            }
            NetworkSpec actual = result().spec();
            assertEquals(actual.inputShape(), spec.inputShape());
            if (exact) {
                assertEquals(actual.root(), spec.root(), "architecture() differs from the compressed network's spec");
            }
        }

        void onnx() throws IOException {
            Path f = dir.resolve("result.onnx");
            OnnxExport.write(result(), f);
            OnnxCheck.Result r = OnnxCheck.compare(result(), f, 2, 7, 1);
            assertTrue(r.passes(), r.describe());
        }

        void close() {
            if (result != null) {
                result.close();
            }
            if (trained != null) {
                trained.close();
            }
        }

        private static Map<String, float[]> snapshot(Network n) {
            Map<String, float[]> m = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : n.weights().entrySet()) {
                m.put(e.getKey(), e.getValue().toFloatArray());
            }
            return m;
        }
    }
}

package org.waecompress.wae;

import java.util.List;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.CompressionStrategy;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.setting.Setting;
import org.waecompress.spi.spec.HeightWidth;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.spec.PoolSpec;
import org.waecompress.spi.spec.SequentialSpec;
import org.waecompress.spi.spec.SpecRewriter;

/**
 * The paper's "VGG16, 112x112 input" row and Table 3's I_R: the unchanged backbone fed the image
 * downsampled by 2 (2x2 average pooling inside the network, so it takes the same input as every
 * other model), fine-tuned from the trained backbone's weights (a classifier layer whose input size
 * changes starts fresh).
 */
public final class ResizeStrategy implements CompressionStrategy {

    @Override
    public String id() {
        return "resize";
    }

    @Override
    public String description() {
        return "The backbone on the image downsampled by 2 (the WAE paper's 112x112-input VGG16 and I_R)";
    }

    static final Setting<Integer> EPOCHS = CompressionContext.fineTuneEpochs(1, "epochs of fine-tuning");
    static final Setting<Double> RATE_FACTOR = CompressionContext.fineTuneRateFactor(1.0,
            "the fine-tune's rate as a factor of the run's fine-tune rate (the paper gives none)");

    @Override
    public List<Setting<?>> settings() {
        return List.of(EPOCHS, RATE_FACTOR);
    }

    private static int epochs(CompressionContext ctx) {
        return Math.max(1, ctx.fineTuneEpochs(EPOCHS));
    }

    @Override
    public NetworkSpec architecture(NetworkSpec b, CompressionContext ctx) {
        var pool = new PoolSpec("resize", "avg", HeightWidth.of(2), HeightWidth.of(2), HeightWidth.of(0), true);
        var half = new ai.djl.ndarray.types.Shape(b.inputShape().get(0), (b.inputShape().get(1) + 1) / 2,
                (b.inputShape().get(2) + 1) / 2);
        // The backbone keeps its names: its root becomes a transparent child after the pool.
        var body = SpecRewriter.rewrite(b.root(), "", half, (p, leaf, s) -> leaf);
        var root = new SequentialSpec("", java.util.List.of(pool, transparent(body)));
        return new NetworkSpec(ctx.strategyId() + "-" + b.name(), b.inputShape(), root);
    }

    @Override
    public Network compress(Network trained, CompressionContext ctx) {
        NetworkSpec spec = architecture(trained.spec(), ctx);
        int epochs = epochs(ctx);
        try (Network init0 = Network.random(spec, trained.classes(), ctx.seed() + 1);
                Network init = WeightTransfer.assemble(spec, init0, new WeightTransfer.Source(trained, n -> n))) {
            return ctx.trainer().train(ctx.strategyId(), init, ctx.trainData(),
                    org.waecompress.spi.train.TrainLoss.crossEntropy(),
                    ctx.fineTune().toBuilder().epochs(epochs).learningRate(ctx.fineTuneRate(RATE_FACTOR)).build(),
                    n -> true).network();
        }
    }

    private static org.waecompress.spi.spec.LayerSpec transparent(org.waecompress.spi.spec.LayerSpec body) {
        if (body instanceof SequentialSpec s) {
            return new SequentialSpec("", s.layers());
        }
        return body;
    }
}

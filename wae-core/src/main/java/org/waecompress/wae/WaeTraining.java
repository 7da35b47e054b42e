package org.waecompress.wae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.waecompress.spi.CompressionContext;
import org.waecompress.spi.device.Devices;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.spec.NetworkSpec;
import org.waecompress.spi.train.TrainResult;

/**
 * The three training stages (research: the paper's procedure as two reading notes describe it):
 * (1) the auto-encoder on {@code L_t}; (2) the classification networks on the frozen encoder's
 * outputs with {@code L_c}; (3) everything jointly on {@code L = L_c + gamma L_t}. Returns the
 * test-time network (the decoder dropped).
 */
final class WaeTraining {

    private WaeTraining() {}

    /**
     * Trains WAE.
     *
     * @param base the trained backbone (its feature weights may start the low branch)
     * @param s the settings
     * @param ctx the context
     * @return the test-time WAE network
     */
    static Network wae(Network base, WaeSettings s, CompressionContext ctx) {
        WaeArchitectureOptions o = s.options();
        NetworkSpec aeSpec = WaeArchitecture.autoencoder(base.inputShape(), o);
        NetworkSpec clsSpec = WaeArchitecture.classifier(base.spec(), o, WaeArchitecture.SplitKind.LEARNED, false);
        NetworkSpec fullSpec = WaeArchitecture.classifier(base.spec(), o, WaeArchitecture.SplitKind.LEARNED, true);
        long seed = ctx.seed();
        try (Network ae0 = Network.random(aeSpec, base.classes(), seed);
                Network ae = ctx.trainer().train("wae stage 1 (auto-encoder)", ae0, ctx.trainData(),
                        WaeLoss.autoencoder(s.lambda(), s.lossScale()), s.stage1(), n -> true).network();
                Network cls0 = Network.random(clsSpec, base.classes(), seed + 1);
                Network cls1 = WeightTransfer.assemble(clsSpec, cls0, new WeightTransfer.Source(ae, n -> n),
                        lowFromBase(base, s.initLowFromBase()));
                Network cls2 = fusionStart(cls1, s.fusionZeroInit());
                Network cls = ctx.trainer().train("wae stage 2 (classifiers, encoder frozen)", cls2, ctx.trainData(),
                        WaeLoss.classification(), s.stage2(),
                        n -> !isEncoder(n)).network();
                Network full0 = Network.random(fullSpec, base.classes(), seed + 2);
                Network full1 = WeightTransfer.assemble(fullSpec, full0, new WeightTransfer.Source(cls, n -> n),
                        new WeightTransfer.Source(ae, n -> n))) {
            double encRate = s.stage3EncoderRateFactor();
            TrainResult joint = ctx.trainer().trainWithRateFactors("wae stage 3 (joint)", full1, ctx.trainData(),
                    WaeLoss.joint(s.lambda(), s.gamma(), s.lossScale()), s.stage3(), n -> isEncoder(n) ? encRate : 1.0);
            try (Network trained = joint.network()) {
                ChannelGrid.publish(trained, ctx.trainData(), "wae", ctx.outputDir());
                ctx.progress().message(String.format(Locale.ROOT, "wae: trained (lambda %.3g, gamma %.3g)",
                        s.lambda(), s.gamma()));
                return withoutDecoder(trained);
            }
        }
    }

    /**
     * Table 3's I_L-only ablation as the paper runs it: the encoder is WAE's, trained in stage 1 with the
     * decoder and the energy loss on I_H; then only I_L feeds the backbone, whose classifier trains on
     * the frozen encoder for the budget of stages 2 and 3 together.
     *
     * @param base the trained backbone
     * @param s the settings (highBranch false)
     * @param ctx the context
     * @return the test-time network (no high branch, no decoder)
     */
    static Network ilOnly(Network base, WaeSettings s, CompressionContext ctx) {
        WaeArchitectureOptions o = s.options();
        NetworkSpec aeSpec = WaeArchitecture.autoencoder(base.inputShape(), o);
        NetworkSpec clsSpec = WaeArchitecture.classifier(base.spec(), o, WaeArchitecture.SplitKind.LEARNED, false);
        long seed = ctx.seed();
        int epochs = s.stage2().epochs() + s.stage3().epochs();
        try (Network ae0 = Network.random(aeSpec, base.classes(), seed);
                Network ae = ctx.trainer().train("wae stage 1 (auto-encoder)", ae0, ctx.trainData(),
                        WaeLoss.autoencoder(s.lambda(), s.lossScale()), s.stage1(), n -> true).network();
                Network cls0 = Network.random(clsSpec, base.classes(), seed + 1);
                Network cls1 = WeightTransfer.assemble(clsSpec, cls0, new WeightTransfer.Source(ae, n -> n),
                        lowFromBase(base, s.initLowFromBase()))) {
            return ctx.trainer().train("wae (I_L only) classifier, encoder frozen", cls1, ctx.trainData(),
                    WaeLoss.classification(), s.stage2().toBuilder().epochs(epochs).build(),
                    n -> !isEncoder(n)).network();
        }
    }

    /** Whether a parameter (by full name) belongs to the encoder, the split convolutions included. */
    static boolean isEncoder(String name) {
        return name.startsWith("encoder.") || name.startsWith("split.");
    }

    /**
     * Trains a WAE-shaped network with the classification loss only, all parameters at once (the
     * decomposition and wavelet baselines).
     *
     * @param base the trained backbone
     * @param spec the network (no decoder)
     * @param s the settings (stage 2 + stage 3 epochs make its budget)
     * @param label the name for progress
     * @param ctx the context
     * @return the trained network
     */
    static Network classificationOnly(Network base, NetworkSpec spec, WaeSettings s, String label,
            CompressionContext ctx) {
        int epochs = s.stage2().epochs() + s.stage3().epochs();
        try (Network init0 = Network.random(spec, base.classes(), ctx.seed() + 1);
                Network init1 = WeightTransfer.assemble(spec, init0, lowFromBase(base, s.initLowFromBase()));
                Network init = fusionStart(init1, s.fusionZeroInit())) {
            return ctx.trainer().train(label, init, ctx.trainData(), WaeLoss.classification(),
                    s.stage2().toBuilder().epochs(epochs).build(), n -> true).network();
        }
    }

    static WeightTransfer.Source lowFromBase(Network base, boolean enabled) {
        UnaryOperator<String> map = n -> {
            if (!enabled) {
                return null;
            }
            if (n.startsWith("low.")) {
                return n.substring(4);
            }
            // a head that reuses the backbone's classifier layers keeps their names
            return n.startsWith("lowHead.") ? n.substring(8) : null;
        };
        return new WeightTransfer.Source(base, map);
    }

    /**
     * Returns a copy of a network, with the fusion head's output layer (its last weight of rank 2
     * or more, and that layer's bias) set to zero when {@code zero} is true, so the score starts as
     * the low branch's alone. A network without a fusion head is copied unchanged.
     *
     * @param n the network
     * @param zero whether to zero the fusion output layer
     * @return the new network
     */
    static Network fusionStart(Network n, boolean zero) {
        String last = null;
        for (Map.Entry<String, NDArray> e : n.weights().entrySet()) {
            if (zero && e.getKey().startsWith("fusionHead.") && e.getKey().endsWith(".weight")
                    && e.getValue().getShape().dimension() >= 2) {
                last = e.getKey();
            }
        }
        Map<String, NDArray> w = new LinkedHashMap<>(n.weights());
        try (NDManager m = Devices.newManager()) {
            if (last != null) {
                String layer = last.substring(0, last.length() - "weight".length());
                for (String k : List.of(last, layer + "bias")) {
                    NDArray v = w.get(k);
                    if (v != null) {
                        w.put(k, m.zeros(v.getShape(), v.getDataType()));
                    }
                }
            }
            return Network.of(n.spec(), n.classes(), w, last == null ? "weight transfer"
                    : "weight transfer, fusion output at zero");
        }
    }

    static Network withoutDecoder(Network trained) {
        WaeClassifier root = (WaeClassifier) trained.spec().root();
        NetworkSpec test = new NetworkSpec(trained.spec().name(), trained.inputShape(), root.withoutDecoder());
        Map<String, NDArray> w = new LinkedHashMap<>(trained.weights());
        w.keySet().removeIf(k -> k.startsWith("decoder."));
        return Network.of(test, trained.classes(), w, "wae without decoder");
    }
}

package org.waecompress.spi;

import java.util.Optional;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.train.StageCheckpoints;

/**
 * The resumable loop ThiNet and Taylor share, and a plugin's pruning loop can use: it starts from the trained
 * network, or from the stage a killed row's checkpoints saved last; each stage replaces the working network
 * (closing the one before), can fine-tune it for a few steps, and is saved on the row's checkpoint interval;
 * the end fine-tunes and names the result. Each stage's random choices are seeded by its index, so a
 * continued loop is the uninterrupted one. On an error the working network is closed.
 *
 * <pre>{@code
 * try (StagedPruning loop = StagedPruning.start(trained, ctx)) {
 *     for (int i = loop.next(); i < layers.size(); i++) {
 *         loop.replace(prune(loop.network(), layers.get(i), ctx.seed() + i));
 *         loop.fineTune("fine-tune after " + layers.get(i), steps, rate);
 *         loop.saved(i);
 *     }
 *     return loop.finish(epochs, rate);
 * }
 * }</pre>
 */
public final class StagedPruning implements AutoCloseable {

    private final Network trained;
    private final CompressionContext ctx;
    private final String id;
    private final int next;
    private Network net;

    private StagedPruning(Network trained, CompressionContext ctx, String id, int next, Network net) {
        this.trained = trained;
        this.ctx = ctx;
        this.id = id;
        this.next = next;
        this.net = net;
    }

    /**
     * Starts the loop of the context's strategy, or resumes it after its last saved stage.
     *
     * @param trained the network the loop starts from (unchanged, still the caller's)
     * @param ctx the strategy's context (its trainer's stage checkpoints, its id)
     * @return the loop, to close
     */
    public static StagedPruning start(Network trained, CompressionContext ctx) {
        String id = ctx.strategyId();
        Optional<StageCheckpoints.Stage> saved = ctx.trainer().stages().saved(id, trained);
        Network net = saved.isPresent() ? saved.get().network()
                : Network.of(trained.spec(), trained.classes(), trained.weights(), id + " start");
        return new StagedPruning(trained, ctx, id, saved.map(s -> s.index() + 1).orElse(0), net);
    }

    /**
     * Returns the index of the first stage to run: 0, or the one after the last saved stage.
     *
     * @return the index
     */
    public int next() {
        return next;
    }

    /**
     * Returns the working network (owned by the loop).
     *
     * @return the network
     */
    public Network network() {
        return net;
    }

    /**
     * Makes a new network the working one, closing the one it replaces.
     *
     * @param replacement the new network, owned by the loop from now on
     */
    public void replace(Network replacement) {
        if (replacement != net) {
            net.close();
            net = replacement;
        }
    }

    /**
     * Fine-tunes the working network for a few steps (nothing for 0) at a rate, the step every strategy shares
     * ({@link CompressionContext#fineTuneStep}).
     *
     * @param what what the steps follow, for progress lines and checkpoints ({@code fine-tune after features.3})
     * @param steps training steps (batches), 0 for none
     * @param rate the learning rate
     */
    public void fineTune(String what, int steps, double rate) {
        if (steps > 0) {
            replace(ctx.fineTuneStep(id + " " + what, net, 1, steps, rate));
        }
    }

    /**
     * Records that a stage finished: saved when the row's checkpoint interval has passed.
     *
     * @param index the stage's index (0-based)
     */
    public void saved(int index) {
        ctx.trainer().stages().save(id, trained, index, net);
    }

    /**
     * Ends the loop: the final fine-tune (none for 0 epochs), then the result under the name
     * {@code ID-BACKBONE}.
     *
     * @param epochs epochs of the final fine-tune
     * @param rate its learning rate
     * @return the compressed network, owned by the caller
     */
    public Network finish(int epochs, double rate) {
        if (epochs > 0) {
            replace(ctx.fineTuneStep(id + " final fine-tune", net, epochs, 0, rate));
        }
        try (Network last = net) {
            net = null;
            return Network.of(last.spec().withName(id + "-" + trained.spec().name()), last.classes(), last.weights(),
                    id);
        }
    }

    @Override
    public void close() {
        if (net != null) {
            net.close();
            net = null;
        }
    }
}

package org.waecompress.spi;

import java.util.List;
import org.waecompress.spi.error.InvalidSettingException;
import org.waecompress.spi.network.Network;
import org.waecompress.spi.setting.Setting;

/**
 * An acceleration method: a function from a trained network to a new, cheaper network.
 *
 * <p>Implementations never change their input network. A strategy declares the settings it reads in
 * {@link #settings()} and reads each with {@link CompressionContext#get(Setting)}, which returns the
 * typed, range-checked value of {@code strategy.<id>.<name>} (or the default); a bad value raises
 * {@link InvalidSettingException} naming the key. A strategy is installed by listing its class in
 * {@code META-INF/services/org.waecompress.spi.CompressionStrategy} (one class, a public no-argument
 * constructor), or by a {@link org.waecompress.spi.plugin.CompressionPlugin} when it needs Guice
 * bindings or registers variants.
 */
public interface CompressionStrategy {

    /**
     * Returns the stable id used in configuration keys and tables ({@code wae}, {@code thinet}).
     *
     * @return the id: lower case letters, digits and dashes
     */
    String id();

    /**
     * Returns a one-line description with the method's paper.
     *
     * @return the description
     */
    String description();

    /**
     * Returns the settings this strategy reads, relative to {@code strategy.<id>.}: the one
     * declaration from which the harness takes the keys it accepts, the checks it makes before a run
     * starts, {@code waec strategies}, provenance and the documentation tables. Read them with
     * {@link CompressionContext#get(Setting)}.
     *
     * @return the settings, in a stable order (the default: none)
     */
    default List<Setting<?>> settings() {
        return List.of();
    }

    /**
     * Checks every setting this strategy reads, before anything trains: the harness calls it for each
     * selected strategy when a run starts (with a context that has settings and the run's fine-tune
     * budget but no data), so a bad value stops the run at once instead of after hours of
     * training the backbone and earlier rows. The harness has already parsed every declared setting
     * that was given ({@link Setting#parse}); the harness also asks {@link #architecture} of the
     * run's backbone before training, which catches values that only a backbone makes wrong.
     *
     * <p>The default checks nothing more; a strategy whose settings constrain each other overrides it.
     *
     * @param ctx the settings and fine-tune budget
     * @throws InvalidSettingException naming the first bad key
     */
    default void checkSettings(CompressionContext ctx) {}

    /**
     * Returns the test-time architecture this strategy would produce from a backbone, without
     * training or weights: what speed tables time with random weights (latency does not depend on
     * weight values). Data-dependent strategies (pruning) may return their preset's architecture.
     *
     * @param backbone the backbone spec
     * @param ctx the settings (data and trainer may be absent)
     * @return the compressed architecture
     * @throws UnsupportedOperationException if the strategy cannot say without data
     */
    default org.waecompress.spi.spec.NetworkSpec architecture(org.waecompress.spi.spec.NetworkSpec backbone,
            CompressionContext ctx) {
        throw new UnsupportedOperationException(id() + " cannot give its architecture without training data");
    }

    /**
     * Returns what a reader of the results table must know about this row's method as configured and
     * that the columns do not show (how many maps a pruning step removes, a part trained at another
     * rate), as one clause without a final full stop; the harness prints it under the table after the
     * strategy's id. Rows whose clauses are equal share one line.
     *
     * @param ctx the settings (no data)
     * @return the clause, or null (the default) for none
     */
    default String tableNote(CompressionContext ctx) {
        return null;
    }

    /**
     * Returns what a reader must know about a row built from {@link #architecture} alone (a speed table's
     * random weights), as one clause without a final full stop: how the architecture stands in for what
     * {@link #compress} would give. The harness prints it under such tables after the strategy's id.
     *
     * @param ctx the settings (no data)
     * @return the clause, or null (the default) for none
     */
    default String architectureNote(CompressionContext ctx) {
        return null;
    }

    /**
     * Tells whether this strategy may only be the last stage of a stack ({@code A+B}): one that turns
     * the network into another number format (int8) whose calibration a later stage would discard.
     * The registry refuses a stack that puts such a strategy anywhere else.
     *
     * @return true to be last only (the default: false)
     */
    default boolean lastInStack() {
        return false;
    }

    /**
     * Compresses a trained network.
     *
     * @param trained the trained network (unchanged)
     * @param ctx settings, data, trainer and progress
     * @return the compressed network
     * @throws InvalidSettingException if a setting is invalid
     */
    Network compress(Network trained, CompressionContext ctx);
}

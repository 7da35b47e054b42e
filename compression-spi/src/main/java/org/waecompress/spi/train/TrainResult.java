package org.waecompress.spi.train;

import java.util.List;
import org.waecompress.spi.network.Network;

/**
 * A trained network and the history of its training.
 *
 * @param network the trained network (a new object; the input is unchanged)
 * @param epochs per-epoch statistics
 */
public record TrainResult(Network network, List<EpochStats> epochs) {

    /** Copies the history. */
    public TrainResult {
        epochs = List.copyOf(epochs);
    }
}

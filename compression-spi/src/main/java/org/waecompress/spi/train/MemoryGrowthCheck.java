package org.waecompress.spi.train;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import java.util.Locale;

/**
 * Warns once when a network's manager holds more arrays at the end of an epoch than after its first step
 * (when the optimizer's state exists): a block then leaves something in the network's manager every step,
 * and native memory grows with every batch until training ends.
 */
final class MemoryGrowthCheck {
    private final String task;
    private final NDManager manager;
    private final ProgressListener listener;
    private int count = -1;
    private boolean warned;

    MemoryGrowthCheck(String task, NDManager manager, ProgressListener listener) {
        this.task = task;
        this.manager = manager;
        this.listener = listener;
    }

    private int arrays() {
        return manager instanceof BaseNDManager m ? m.getManagedArrays().size() : -1;
    }

    void afterFirstStep() {
        if (count < 0) {
            count = arrays();
        }
    }

    void afterEpoch(int epoch) {
        int now = arrays();
        if (!warned && count >= 0 && now > count) {
            warned = true;
            listener.message(String.format(Locale.ROOT, "%s: warning: the network's manager gained %d arrays "
                    + "in epoch %d, so native memory grows with every step; a block keeps a result computed "
                    + "from a parameter there (pass it through org.waecompress.spi.nn.StepScope.of)",
                    task, now - count, epoch));
        }
        count = now;
    }
}

package org.example.halfwidth;

import org.waecompress.experiments.testkit.StrategyContract;
import org.waecompress.spi.CompressionStrategy;

/** The project's contract tests, run against this plugin's strategy. */
class HalfWidthContractTest extends StrategyContract {
    @Override
    protected CompressionStrategy strategy() {
        return new HalfWidthStrategy();
    }
}

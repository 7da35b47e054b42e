package org.waecompress.spi.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.waecompress.spi.TestSpecs;
import org.waecompress.spi.spec.NetworkSpec;

class CostReportTest {

    @Test
    void countsConvLinearAndTransposedConv() {
        NetworkSpec spec = TestSpecs.smallCnn(3, 12, 7);
        CostReport r = CostReport.of(spec);
        long c1 = 16L * 12 * 12 * 3 * 9;
        long c2 = 32L * 6 * 6 * 16 * 9;
        long fc = 32L * 7;
        assertEquals(c1 + c2 + fc, r.totalMacs());
        long params = 16 * 3 * 9 + 2 * 16 + 32 * 16 * 9 + 2 * 32 + 32 * 7 + 7;
        assertEquals(params, r.totalParams());
        assertEquals(c2, r.macsOf("c2"));
    }

    @Test
    void compositeRowsSumTheirSubtree() {
        CostReport r = CostReport.of(TestSpecs.allTypes());
        long sum = r.layers().stream().mapToLong(LayerCost::macs).sum();
        assertEquals(sum, r.totalMacs());
        // transposed conv: each of 8x8x8 inputs meets 4 outputs x 4x4 kernel
        assertEquals(8L * 8 * 8 * 4 * 16, r.macsOf("up"));
        assertEquals(r.macsOf("cat.a") + r.macsOf("cat.b.1"), r.macsOf("cat"));
        // grouped 1x3 conv: out 4 x 8x8 positions x (16 / 2) inputs x 3 taps
        assertEquals(4L * 8 * 8 * 8 * 3, r.macsOf("cat.b.1"));
    }
}

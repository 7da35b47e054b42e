package org.waecompress.baselines.int8;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Each calibrator against a range computed by hand from a known histogram. */
class CalibratorsTest {

    @Test
    void minMaxRangeContainsZeroAndGivesScaleAndZeroPoint() {
        Calibrators.Range r = Calibrators.minMax(-1, 3);
        assertEquals(4f / 255, r.scale(), 1e-9);
        // -low / scale = 63.75, rounded to 64
        assertEquals(64, r.zeroPoint());
        Calibrators.Range positive = Calibrators.minMax(0.5, 2);
        assertEquals(0, positive.low());
        assertEquals(0, positive.zeroPoint());
        assertEquals(2f / 255, positive.scale(), 1e-9);
        Calibrators.Range negative = Calibrators.minMax(-2, -0.5);
        assertEquals(0, negative.high());
        assertEquals(255, negative.zeroPoint());
    }

    @Test
    void percentileIsTheUpperEdgeOfTheBinWhereTheShareIsReached() {
        long[] h = {10, 20, 30, 40};
        // cumulative 10, 30, 60, 100: half is reached in bin 2, whose upper edge is 3 * 0.5
        assertEquals(1.5, Calibrators.percentile(h, 0.5, 50), 1e-12);
        assertEquals(0.5, Calibrators.percentile(h, 0.5, 10), 1e-12);
        assertEquals(1.0, Calibrators.percentile(h, 0.5, 10.0001), 1e-12);
        assertEquals(2.0, Calibrators.percentile(h, 0.5, 100), 1e-12);
        assertEquals(2.0, Calibrators.percentile(h, 0.5, 60.5), 1e-12);
    }

    @Test
    void clippingKeepsTheSeenSideAndClipsTheOther() {
        Calibrators.Range r = Calibrators.clipped(-0.25, 10, 4);
        assertEquals(-0.25, r.low(), 0);
        assertEquals(4, r.high(), 0);
        Calibrators.Range s = Calibrators.clipped(-10, 10, 4);
        assertEquals(-4, s.low(), 0);
        assertEquals(4, s.high(), 0);
    }

    /**
     * Histogram [2, 2, 0, 4] quantized to 2 levels. Candidate 2 bins: P = [2, 2 + 0 + 4] = [1/4, 3/4]
     * (outliers folded into the last bin), Q = [2, 2] = [1/2, 1/2], KL = 1/4 ln(1/2) + 3/4 ln(3/2) =
     * 0.130812. Candidate 4 bins: levels of 2 bins each, [2, 2] spread over 2 non-empty bins and [0, 4]
     * over 1, so Q = P and KL = 0: the threshold is all 4 bins.
     */
    @Test
    void entropyMatchesTheHandComputedDivergences() {
        long[] h = {2, 2, 0, 4};
        double expected = 0.25 * Math.log(0.5) + 0.75 * Math.log(1.5);
        assertEquals(expected, Calibrators.divergence(h, 2, 2), 1e-12);
        assertEquals(0.0, Calibrators.divergence(h, 4, 2), 1e-12);
        assertEquals(4 * 0.25, Calibrators.entropy(h, 0.25, 2), 1e-12);
    }

    /**
     * Candidate 3 bins of [2, 2, 0, 4]: P = [2, 2, 4] = [1/4, 1/4, 1/2]; the levels are bin 0 and bins
     * 1..2, whose count 2 goes to its one non-empty bin: Q = [2, 2, 0] = [1/2, 1/2, 0], smoothed to
     * [1/2 - 5e-5, 1/2 - 5e-5, 1e-4] (one empty bin takes 1e-4 from the two others).
     */
    @Test
    void entropySmoothsEmptyBinsAsOnnxRuntimeDoes() {
        long[] h = {2, 2, 0, 4};
        double q = 0.5 - 5e-5;
        double expected = 2 * 0.25 * Math.log(0.25 / q) + 0.5 * Math.log(0.5 / 1e-4);
        assertEquals(expected, Calibrators.divergence(h, 3, 2), 1e-9);
    }

    @Test
    void entropyClipsAFarOutlier() {
        long[] h = new long[Calibrators.BINS];
        for (int i = 0; i < 200; i++) {
            h[i] = 1000 - 4L * i;
        }
        h[Calibrators.BINS - 1] = 1;
        double t = Calibrators.entropy(h, 1.0, 128);
        // the threshold sits near the bulk of the distribution, not at the lone outlier
        assertTrue(t >= 128 && t <= 400, "threshold " + t);
        // and min-max would keep the outlier's magnitude
        assertEquals(Calibrators.BINS, Calibrators.percentile(h, 1.0, 100), 0);
    }

    @Test
    void aDistributionThatFitsTheLevelsExactlyHasZeroDivergenceAtThatManyBins() {
        long[] h = new long[256];
        for (int i = 0; i < 128; i++) {
            h[i] = 1 + (i * 37) % 11;
        }
        assertEquals(128.0, Calibrators.entropy(h, 1.0, 128), 0);
    }

    /**
     * Candidate 3 bins of [1, 3, 2, 6] at 2 levels: the last level takes the remainder (bins 1 and 2).
     * P = [1, 3, 2 + 6] / 12, Q = [1, (3 + 2) / 2, (3 + 2) / 2] / 6, no empty bin to smooth.
     */
    @Test
    void theLastLevelTakesTheRemainderOfTheBins() {
        long[] h = {1, 3, 2, 6};
        double expected = 1.0 / 12 * Math.log((1.0 / 12) / (1.0 / 6)) + 0.25 * Math.log(0.25 / (5.0 / 12))
                + 2.0 / 3 * Math.log((2.0 / 3) / (5.0 / 12));
        assertEquals(expected, Calibrators.divergence(h, 3, 2), 1e-12);
    }

    @Test
    void aCandidateWithoutMassCannotBeChosen() {
        // the first two bins are empty: the quantized candidate of two bins has no mass at all
        assertEquals(Double.POSITIVE_INFINITY, Calibrators.divergence(new long[] {0, 0, 5, 5}, 2, 2));
        assertEquals(3.0, Calibrators.entropy(new long[] {0, 0, 5, 5}, 1.0, 2), 0);
    }

    @Test
    void fewerBinsThanLevelsKeepTheWholeRange() {
        assertEquals(3 * 0.5, Calibrators.entropy(new long[] {1, 2, 3}, 0.5, 128), 0);
        assertEquals(3 * 0.5, Calibrators.entropy(new long[] {1, 2, 3}, 0.5, 3), 0);
    }

    /**
     * A dense, uneven bulk in the first 128 bins and a thin tail to bin 255. With 256 levels (a tensor
     * that is never negative) the 256 bins fit exactly; with 128 (a signed one) keeping the tail would
     * merge the bulk's uneven pairs, and the search cuts at 129 bins. Both figures agree with an
     * independent Python implementation of the same search.
     */
    @Test
    void signedAndUnsignedTensorsUseTheirOwnLevels() {
        long[] h = new long[1024];
        for (int i = 0; i < 128; i++) {
            h[i] = 100 + (i * 37L) % 50;
        }
        for (int i = 128; i < 256; i++) {
            h[i] = 1;
        }
        assertEquals(256.0, Calibrators.entropy(h, 1.0, 256), 0);
        assertEquals(129.0, Calibrators.entropy(h, 1.0, 128), 0);
    }
}

package io.herd.bench;

import java.util.Arrays;

/** Nearest-rank percentiles, the way latency figures are usually quoted. */
final class Percentiles {
    private Percentiles() {}

    /** The smallest value with at least {@code percentile}% of the values at or below it; 0 for no values. */
    static long of(long[] values, double percentile) {
        if (values.length == 0) {
            return 0;
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.clamp(rank - 1, 0, sorted.length - 1)];
    }
}

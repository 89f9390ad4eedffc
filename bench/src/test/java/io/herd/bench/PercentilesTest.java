package io.herd.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PercentilesTest {
    @Test
    void nearestRank() {
        long[] values = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};

        assertThat(Percentiles.of(values, 50)).isEqualTo(5);
        assertThat(Percentiles.of(values, 99)).isEqualTo(10);
        assertThat(Percentiles.of(values, 100)).isEqualTo(10);
        assertThat(Percentiles.of(values, 10)).isEqualTo(1);
        assertThat(Percentiles.of(new long[0], 99)).isZero();
    }
}

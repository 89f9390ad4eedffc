package io.herd.scheduler;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchedulerConfigTest {
    @Test
    void defaultsArePinned() {
        // Changing a default changes where every job lands: do it on purpose, here.
        assertThat(SchedulerConfig.DEFAULT).isEqualTo(new SchedulerConfig(1.0, 0.5, 1.0, 1.0, 5.0));
    }

    @Test
    void withersChangeOneKnob() {
        SchedulerConfig config = SchedulerConfig.DEFAULT.withBinPackWeight(2).withJobAntiAffinityPenalty(3)
                .withSpreadPenalty(4).withPreviousNodePenalty(5).withBalanceWeight(6);

        assertThat(config).isEqualTo(new SchedulerConfig(2, 3, 4, 5, 6));
    }

    @Test
    void rejectsNegativeOrNonFiniteWeights() {
        assertThatThrownBy(() -> SchedulerConfig.DEFAULT.withSpreadPenalty(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spreadPenalty");
        assertThatThrownBy(() -> SchedulerConfig.DEFAULT.withBinPackWeight(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("binPackWeight");
        assertThatThrownBy(() -> SchedulerConfig.DEFAULT.withBalanceWeight(Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("balanceWeight");
    }
}

package io.herd.bench;

import io.herd.api.Resources;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LowerBoundTest {
    private static final long GIB = 1L << 30;
    private static final Resources MACHINE = new Resources(32_000, 128 * GIB, 0);

    @Test
    void theScarcestResourceDecides() {
        // 10 x 8 cpu = 80 cpu: 2.5 machines by cpu; 10 x 4Gi = 40Gi: 0.3 machines by memory.
        List<Resources> cpuHeavy = Collections.nCopies(10, new Resources(8_000, 4 * GIB, 0));
        // 10 x 1 cpu = 10 cpu: 0.3 machines by cpu; 10 x 40Gi = 400Gi: 3.1 machines by memory.
        List<Resources> memoryHeavy = Collections.nCopies(10, new Resources(1_000, 40 * GIB, 0));

        assertThat(LowerBound.machines(cpuHeavy, MACHINE)).isEqualTo(3);
        assertThat(LowerBound.machines(memoryHeavy, MACHINE)).isEqualTo(4);
    }

    @Test
    void exactMultiplesAreNotRoundedUp() {
        assertThat(LowerBound.machines(Collections.nCopies(64, new Resources(1_000, 4 * GIB, 0)), MACHINE)).isEqualTo(2);
        assertThat(LowerBound.machines(Collections.nCopies(65, new Resources(1_000, 4 * GIB, 0)), MACHINE)).isEqualTo(3);
    }

    @Test
    void resourcesAreSummedOverTheWholeWorkloadNotPerInstance() {
        // Neither instance alone needs a second machine, together they need two: 20 + 20 cpu > 32.
        List<Resources> demands = List.of(new Resources(20_000, GIB, 0), new Resources(20_000, GIB, 0));

        assertThat(LowerBound.machines(demands, MACHINE)).isEqualTo(2);
    }

    @Test
    void nothingNeedsNoMachine() {
        assertThat(LowerBound.machines(List.of(), MACHINE)).isZero();
        assertThat(LowerBound.machines(List.of(Resources.ZERO), MACHINE)).isZero();
    }

    @Test
    void aResourceTheMachinesLackCannotBeBounded() {
        assertThatThrownBy(() -> LowerBound.machines(List.of(new Resources(1_000, GIB, GIB)), MACHINE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("disk");
    }
}

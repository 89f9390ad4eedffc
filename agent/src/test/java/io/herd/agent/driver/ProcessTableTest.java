package io.herd.agent.driver;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessTableTest {
    @Test
    void parsesStatWithSpacesAndParenthesesInTheName() {
        String line = "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 50";
        var stat = ProcessTable.parse(4242, line);
        assertThat(stat.state()).isEqualTo('S');
        assertThat(stat.parentPid()).isEqualTo(1);
        assertThat(stat.processGroup()).isEqualTo(4242);
        assertThat(stat.session()).isEqualTo(4242);
        assertThat(stat.startTicks()).isEqualTo(987654);
        assertThat(stat.running()).isTrue();
    }

    @Test
    void readsTheCurrentProcess() {
        ProcessTable table = new ProcessTable();
        long self = ProcessHandle.current().pid();
        long ticks = table.startTicks(self);
        assertThat(ticks).isPositive();
        assertThat(table.isAlive(self, ticks)).isTrue();
        assertThat(table.isAlive(self, ticks + 1)).isFalse();
        assertThat(table.stat(Long.MAX_VALUE)).isEmpty();
    }
}

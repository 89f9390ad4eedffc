package io.herd.agent;

import io.herd.api.PortRange;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AgentConfigTest {
    @Test
    void defaults() {
        AgentConfig config = new AgentConfig(List.of("127.0.0.1:7700"), Path.of("/tmp/herd"), null, null, null, null,
                null, null, null, false);
        assertThat(config.httpAddress()).isEqualTo("127.0.0.1:7710");
        assertThat(config.ports()).isEqualTo(PortRange.DEFAULT);
        assertThat(config.labels()).isEmpty();
        assertThat(config.name()).isNull();
        assertThat(config.cpuMillis()).isNull();
        assertThat(config.stopTasksOnClose()).isFalse();
        assertThat(TaskLogs.DEFAULT_MAX_BYTES).isEqualTo(10L << 20);
        assertThat(TaskLogs.DEFAULT_KEEP).isEqualTo(3);
        assertThat(AssignmentWatcher.WAIT).hasSeconds(30);
        assertThat(StatusReporter.BATCH_WINDOW).hasMillis(100);
    }

    @Test
    void needsAServer() {
        assertThatThrownBy(() -> new AgentConfig(List.of(), Path.of("/tmp/herd"), null, null, null, null, null, null,
                null, false)).isInstanceOf(IllegalArgumentException.class);
    }
}

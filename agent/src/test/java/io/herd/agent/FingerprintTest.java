package io.herd.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class FingerprintTest {
    @TempDir
    Path dataDir;

    @Test
    void readsMemTotal() throws Exception {
        Path meminfo = dataDir.resolve("meminfo");
        Files.writeString(meminfo, "MemTotal:       25165824 kB\nMemFree:        1000 kB\n");
        assertThat(Fingerprint.memoryBytes(meminfo)).isEqualTo(24L << 30);
    }

    @Test
    void measuresTheMachineAndLetsTheConfigOverride() {
        Instant now = Instant.parse("2025-01-01T00:00:00Z");
        AgentConfig measured = new AgentConfig(List.of("s:1"), dataDir, null, Map.of("rack", "r1"), null, null, null,
                null, null, false);
        var node = Fingerprint.node(measured, "id-1", "127.0.0.1:7710", Set.of("exec"), now);
        assertThat(node.name()).isEqualTo(Fingerprint.hostname());
        assertThat(node.capacity().cpuMillis()).isEqualTo(Runtime.getRuntime().availableProcessors() * 1000L);
        assertThat(node.capacity().memoryBytes()).isPositive();
        assertThat(node.capacity().diskBytes()).isPositive();
        assertThat(node.labels()).containsEntry("rack", "r1").containsEntry("hostname", Fingerprint.hostname())
                .containsKeys("os", "arch", "kernel");
        assertThat(node.registerTime()).isEqualTo(now);

        AgentConfig overridden = new AgentConfig(List.of("s:1"), dataDir, "n1", Map.of("os", "plan9"), null, null,
                1500L, 1L << 30, 5L << 30, false);
        var small = Fingerprint.node(overridden, "id-1", "127.0.0.1:7710", Set.of("exec"), now);
        assertThat(small.name()).isEqualTo("n1");
        assertThat(small.capacity()).isEqualTo(new io.herd.api.Resources(1500, 1L << 30, 5L << 30));
        assertThat(small.labels()).containsEntry("os", "plan9");
    }

    @Test
    void gpusFromTheFlagsAndFromNvidiaSmiOutput() {
        AgentConfig flagged = new AgentConfig(List.of("s:1"), dataDir, "n1", Map.of(), null, null, 1000L, 1L << 30,
                1L << 30, false, 2, "V100");
        var node = Fingerprint.node(flagged, "id-1", "127.0.0.1:7710", Set.of("exec"), Instant.EPOCH);
        assertThat(node.gpus()).containsExactly(new io.herd.api.GpuDevice(0, "V100", 0),
                new io.herd.api.GpuDevice(1, "V100", 0));
        assertThat(node.capacity().gpuMillis()).isEqualTo(2000);

        assertThat(Fingerprint.parseNvidiaSmi("0, Tesla V100-SXM2-16GB, 16160 MiB\n1, Tesla T4, 15360 MiB\n\nbad\n"))
                .containsExactly(new io.herd.api.GpuDevice(0, "Tesla V100-SXM2-16GB", 16160L << 20),
                        new io.herd.api.GpuDevice(1, "Tesla T4", 15360L << 20));
    }
}

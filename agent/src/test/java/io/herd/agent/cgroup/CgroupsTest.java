package io.herd.agent.cgroup;

import io.herd.api.Resources;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CgroupsTest {
    @Test
    void sanitizesNames() {
        assertThat(Cgroups.sanitize("hello.web[0]#7-server")).isEqualTo("hello.web_0__7-server");
        assertThat(Cgroups.sanitize(".hidden")).isEqualTo("_hidden");
    }

    @Test
    void v1CgroupGetsLimitsAndIsRemovedWithItsProcesses() throws Exception {
        Cgroups cgroups = Cgroups.detect(Path.of("/sys/fs/cgroup"));
        assumeTrue(cgroups.kind().equals("v1"), "cgroup v1 is not writable here (not root?)");
        TaskCgroup cgroup = cgroups.create("test-" + UUID.randomUUID(), new Resources(250, 64L << 20, 0));
        Process sleeper = null;
        try {
            Path memory = cgroup.directories().stream().filter(dir -> dir.toString().contains("/memory/")).findFirst()
                    .orElseThrow();
            assertThat(Files.readString(memory.resolve("memory.limit_in_bytes")).trim()).isEqualTo(Long.toString(64L << 20));
            Path cpu = cgroup.directories().stream().filter(dir -> Files.exists(dir.resolve("cpu.cfs_quota_us")))
                    .findFirst().orElseThrow();
            assertThat(Files.readString(cpu.resolve("cpu.cfs_quota_us")).trim()).isEqualTo("25000");
            assertThat(Files.readString(cpu.resolve("cpu.cfs_period_us")).trim()).isEqualTo("100000");
            assertThat(Files.readString(cpu.resolve("cpu.shares")).trim()).isEqualTo("256");
            assertThat(cgroup.oomKills()).isZero();

            String procs = String.join(":", cgroup.procsFiles().stream().map(Path::toString).toList());
            sleeper = new ProcessBuilder("/bin/sh", "-c",
                    "IFS=:; for f in $0; do echo $$ > $f; done; exec sleep 1000", procs).start();
            Process started = sleeper;
            org.awaitility.Awaitility.await().until(() -> cgroup.pids().contains(started.pid()));

            cgroup.remove();
            assertThat(sleeper.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(cgroup.directories()).allMatch(directory -> !Files.exists(directory));
        } finally {
            if (sleeper != null) {
                sleeper.destroyForcibly();
            }
            cgroup.remove();
        }
    }
}

package io.herd.agent.metrics;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading a task's usage from cgroup files laid out as the kernel lays them out, for v1 and v2. */
class CgroupUsageTest {
    @TempDir
    Path root;

    private Path directory(String name, String... fileAndContent) throws IOException {
        Path directory = Files.createDirectories(root.resolve(name));
        for (int i = 0; i < fileAndContent.length; i += 2) {
            Files.writeString(directory.resolve(fileAndContent[i]), fileAndContent[i + 1]);
        }
        return directory;
    }

    @Test
    void cgroupV1SpreadsOverOneDirectoryPerController() throws IOException {
        Path memory = directory("memory",
                "memory.usage_in_bytes", "10485760\n",
                "memory.limit_in_bytes", "67108864\n",
                "memory.stat", "cache 4194304\ninactive_file 1048576\ntotal_inactive_file 2097152\n",
                "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        Path cpu = directory("cpu,cpuacct",
                "cpuacct.usage", "2500000000\n",
                "cpu.stat", "nr_periods 40\nnr_throttled 7\nthrottled_time 350000000\n");
        Path pids = directory("pids", "pids.current", "3\n");

        CgroupUsage usage = CgroupUsage.read(List.of(memory, cpu, pids));

        assertThat(usage.cpuSeconds()).isEqualTo(OptionalDouble.of(2.5));
        assertThat(usage.cpuPeriods()).isEqualTo(OptionalDouble.of(40));
        assertThat(usage.throttledPeriods()).isEqualTo(OptionalDouble.of(7));
        assertThat(usage.throttledSeconds()).isEqualTo(OptionalDouble.of(0.35));
        assertThat(usage.memoryBytes()).isEqualTo(OptionalDouble.of(10485760));
        // the hierarchical total, not the cgroup's own inactive_file
        assertThat(usage.workingSetBytes()).isEqualTo(OptionalDouble.of(10485760 - 2097152));
        assertThat(usage.memoryLimitBytes()).isEqualTo(OptionalDouble.of(67108864));
        assertThat(usage.oomKills()).isEqualTo(OptionalDouble.of(2));
        assertThat(usage.readBytes()).isEmpty();
        assertThat(usage.writtenBytes()).isEmpty();
    }

    @Test
    void cgroupV1WithoutALimitOrKillsYet() throws IOException {
        Path memory = directory("memory",
                "memory.usage_in_bytes", "4096\n",
                "memory.limit_in_bytes", "9223372036854771712\n",
                "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n");

        CgroupUsage usage = CgroupUsage.read(List.of(memory));

        assertThat(usage.memoryLimitBytes()).isEmpty();
        assertThat(usage.oomKills()).isEqualTo(OptionalDouble.of(0));
        assertThat(usage.workingSetBytes()).isEqualTo(OptionalDouble.of(4096));
        assertThat(usage.cpuSeconds()).isEmpty();
    }

    @Test
    void cgroupV2HasOneDirectory() throws IOException {
        Path group = directory("task",
                "cgroup.controllers", "cpu memory pids\n",
                "cpu.stat", "usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\nnr_periods 10\n"
                        + "nr_throttled 4\nthrottled_usec 200000\n",
                "memory.current", "8388608\n",
                "memory.max", "max\n",
                "memory.stat", "anon 4194304\nfile 4194304\ninactive_file 3145728\n",
                "memory.events", "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\n",
                "io.stat", "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n"
                        + "8:16 rbytes=1000 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n");

        CgroupUsage usage = CgroupUsage.read(List.of(group));

        assertThat(usage.cpuSeconds()).isEqualTo(OptionalDouble.of(1.5));
        assertThat(usage.cpuPeriods()).isEqualTo(OptionalDouble.of(10));
        assertThat(usage.throttledPeriods()).isEqualTo(OptionalDouble.of(4));
        assertThat(usage.throttledSeconds()).isEqualTo(OptionalDouble.of(0.2));
        assertThat(usage.memoryBytes()).isEqualTo(OptionalDouble.of(8388608));
        assertThat(usage.workingSetBytes()).isEqualTo(OptionalDouble.of(8388608 - 3145728));
        assertThat(usage.memoryLimitBytes()).as("max is no limit").isEmpty();
        assertThat(usage.oomKills()).isEqualTo(OptionalDouble.of(1));
        assertThat(usage.readBytes()).isEqualTo(OptionalDouble.of(5096));
        assertThat(usage.writtenBytes()).isEqualTo(OptionalDouble.of(8192));
    }

    @Test
    void aVanishedCgroupHasNothing() {
        CgroupUsage usage = CgroupUsage.read(List.of(root.resolve("gone")));

        assertThat(List.of(usage.cpuSeconds(), usage.memoryBytes(), usage.workingSetBytes(), usage.oomKills(),
                usage.readBytes())).allMatch(OptionalDouble::isEmpty);
    }
}

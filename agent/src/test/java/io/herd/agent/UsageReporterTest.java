package io.herd.agent;

import io.herd.api.Resources;
import io.herd.api.TaskStatus;
import io.herd.api.wire.UsageReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.herd.agent.AgentFixture.instance;
import static io.herd.agent.AgentFixture.noRestarts;
import static io.herd.agent.AgentFixture.service;
import static io.herd.agent.AgentFixture.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class UsageReporterTest {
    @TempDir
    Path dataDir;
    @TempDir
    Path proc;
    private AgentFixture fixture;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new AgentFixture(dataDir);
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    @Test
    void theMachinesCpuIsTheGrowthOfItsBusyTicksAndMemoryIsTotalMinusAvailable() throws Exception {
        AtomicLong nanos = new AtomicLong(1_000_000_000L);
        UsageReporter reporter = new UsageReporter(List::of, proc, report -> {}, nanos::get,
                java.time.InstantSource.system());
        writeProc(1000, 5000, 200);
        assertThat(reporter.measure()).as("the first reading is only a baseline").isNull();

        // 10 s later: user+system grew by 1500 ticks (15 cpu seconds) while idle and iowait do not count
        nanos.addAndGet(10_000_000_000L);
        writeProc(2500, 9000, 900);
        UsageReport report = reporter.measure();
        assertThat(report.node().cpuCores()).isEqualTo(1.5);
        assertThat(report.node().memoryBytes()).isEqualTo((8_000_000L - 3_000_000L) * 1024);
        assertThat(report.tasks()).isEmpty();
    }

    private void writeProc(long userTicks, long idleTicks, long iowaitTicks) throws Exception {
        Files.writeString(proc.resolve("stat"), "cpu  " + userTicks + " 0 0 " + idleTicks + " " + iowaitTicks
                + " 0 0 0 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 1\n");
        Files.writeString(proc.resolve("meminfo"), "MemTotal:        8000000 kB\nMemFree:  100 kB\n"
                + "MemAvailable:    3000000 kB\n");
    }

    @Test
    void aBusyTaskReportsItsCpuRateAndWorkingSet() throws Exception {
        assumeTrue(AgentFixture.CGROUPS.enabled(), "no writable cgroup hierarchy (not root?): tasks have no cgroup");
        var instance = instance();
        var busy = task("busy", "/bin/sh", List.of("-c", "i=0; while [ $i -lt 1000000 ]; do i=$((i+1)); done; exec sleep 1000"), Map.of(),
                new Resources(500, 64L << 20, 0), Duration.ofSeconds(1));
        java.util.concurrent.CopyOnWriteArrayList<InstanceRunner> runners = new java.util.concurrent.CopyOnWriteArrayList<>();
        UsageReporter reporter = new UsageReporter(() -> List.copyOf(runners), Path.of("/proc"), report -> {},
                System::nanoTime, java.time.InstantSource.system());
        assertThat(reporter.measure()).as("the agent's first reading is only a baseline").isNull();
        InstanceRunner runner = fixture.start(instance, service(noRestarts(), busy));
        runners.add(runner);
        await().atMost(Duration.ofSeconds(30)).until(() -> runner.tasks().get("busy").status() == TaskStatus.RUNNING);

        // a run that started since the last reading is measured from its start: no second reading needed
        assertThat(reporter.measure().tasks()).singleElement()
                .satisfies(sample -> assertThat(sample.task()).isEqualTo("busy"));
        AtomicReference<UsageReport> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            UsageReport report = reporter.measure();
            last.set(report);
            assertThat(report.tasks()).singleElement().satisfies(sample -> {
                assertThat(sample.instanceId()).isEqualTo(instance.id());
                assertThat(sample.task()).isEqualTo("busy");
                assertThat(sample.cpuCores()).isGreaterThan(0.05);
                assertThat(sample.memoryBytes()).isGreaterThan(0);
            });
        });
        assertThat(last.get().node().cpuCores()).isGreaterThan(0);

        // and once the loop is over (the task sleeps), its rate falls to nothing
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            UsageReport report = reporter.measure();
            return report.tasks().size() == 1 && report.tasks().getFirst().cpuCores() < 0.01;
        });
    }
}

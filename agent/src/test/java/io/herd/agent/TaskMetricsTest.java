package io.herd.agent;

import io.herd.agent.metrics.TaskMetrics;
import io.herd.api.Resources;
import io.herd.api.TaskStatus;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.herd.agent.AgentFixture.instance;
import static io.herd.agent.AgentFixture.noRestarts;
import static io.herd.agent.AgentFixture.service;
import static io.herd.agent.AgentFixture.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Per-task metrics of real tasks in real cgroups (the exec driver, as the agent runs it). */
class TaskMetricsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dataDir;
    private AgentFixture fixture;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new AgentFixture(dataDir);
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private static String scrape(InstanceRunner runner) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, new TaskMetrics(() -> List.of(runner), "node-a").collect(),
                EscapingScheme.UNDERSCORE_ESCAPING);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aRunningTaskReportsItsCgroup() throws Exception {
        assumeTrue(AgentFixture.CGROUPS.enabled(), "no writable cgroup hierarchy (not root?): tasks have no cgroup");
        var instance = instance();
        var busy = task("busy", "/bin/sh", List.of("-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; exec sleep 1000"),
                Map.of(), new Resources(200, 64L << 20, 0), Duration.ofSeconds(1));
        InstanceRunner runner = fixture.start(instance, service(noRestarts(), busy));
        await().atMost(TIMEOUT).until(() -> runner.tasks().get("busy").status() == TaskStatus.RUNNING);
        String labels = "{app=\"test_app\",group=\"web\",instance=\"" + instance.id()
                + "\",job=\"job\",node=\"node-a\",task=\"busy\"}";

        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(scrape(runner))
                .contains("herd_task_memory_limit_bytes" + labels + " 6.7108864E7\n")
                .contains("herd_task_restarts_total" + labels + " 0.0\n")
                .contains("herd_task_oom_kills_total" + labels + " 0.0\n")
                .contains("herd_task_memory_usage_bytes" + labels + " ")
                .contains("herd_task_memory_working_set_bytes" + labels + " ")
                .contains("herd_task_cpu_throttled_periods_total" + labels + " ")
                .containsPattern("herd_task_cpu_usage_seconds_total\\Q" + labels + "\\E 0\\.[0-9]*[1-9]"));
    }

    @Test
    void aRunTheOomKillerEndedStaysCounted() throws Exception {
        assumeTrue(AgentFixture.CGROUPS.enabled(), "no writable cgroup hierarchy (not root?): OOM cannot be enforced");
        var instance = instance();
        var hog = task("hog", "/bin/sh", List.of("-c", "x=$(head -c 300000000 /dev/zero | tr '\\0' a); sleep 5"),
                Map.of(), new Resources(0, 64L << 20, 0), Duration.ofSeconds(5));
        InstanceRunner runner = fixture.start(instance, service(noRestarts(), hog));
        runner.terminated().get(60, TimeUnit.SECONDS);

        assertThat(scrape(runner)).contains("herd_task_oom_kills_total{app=\"test_app\",group=\"web\",instance=\""
                + instance.id() + "\",job=\"job\",node=\"node-a\",task=\"hog\"} 1.0\n")
                .doesNotContain("herd_task_memory_usage_bytes{");
    }
}

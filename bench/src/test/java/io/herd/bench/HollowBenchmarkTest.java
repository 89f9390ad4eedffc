package io.herd.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bench/run hollow} at a small size: a real server process, hollow agents over HTTP, every instance reported
 * running. The figures themselves are measured by running the benchmark, never asserted here.
 */
class HollowBenchmarkTest {
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void everyInstanceOfTheSubmittedJobsEndsUpRunningOnHollowAgents() throws Exception {
        Figures figures = HollowBenchmark.run(Options.parse(new String[] {"--agents", "20", "--jobs", "3",
                "--instances-per-job", "20", "--clients", "2", "--timeout-s", "120"}, 0),
                new PrintStream(new ByteArrayOutputStream()));

        assertThat(figures.get("instances")).isEqualTo(60);
        assertThat(figures.get("running")).isEqualTo(60);
        assertThat(figures.get("seconds_to_all_running")).isNotNull();
        assertThat(figures.get("nodes_not_ready")).isEqualTo(0L);
        assertThat(figures.toJson()).contains("\"server_cpu_s\":").contains("\"server_heap_live_mb\":");
    }
}

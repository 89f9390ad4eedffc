package io.herd.cli;

import io.herd.api.Instance;
import io.herd.api.Job;
import io.herd.api.JobSpecParser;
import io.herd.client.HerdClient;
import io.herd.testkit.TestingCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Versions end to end with a real server and two agents running real processes: diff (which changes nothing),
 * up of a change (not on a terminal, so it is not asked), history and rollback, all through the CLI.
 */
class VersionsIT {
    private static final String SPEC = """
            job: web
            app: demo
            groups:
              - name: main
                count: %d
                tasks:
                  - name: sleeper
                    driver: exec
                    config: {command: /bin/sleep, args: ["%s"]}
                    resources: {cpu: 100m, memory: 32Mi}
                    kill_timeout: 1s
            """;

    private static TestingCluster cluster;
    private static HerdClient client;


    @BeforeAll
    static void startCluster() {
        cluster = TestingCluster.start(1, Duration.ofSeconds(10));
        cluster.startAgent("agent-1", "2", "2Gi", "rack=r1");
        cluster.startAgent("agent-2", "2", "2Gi", "rack=r2");
        client = cluster.client();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void diffUpHistoryAndRollback(@TempDir Path directory) throws Exception {
        Path v1 = Files.writeString(directory.resolve("v1.yaml"), SPEC.formatted(2, "100000"));
        Path scaled = Files.writeString(directory.resolve("scaled.yaml"), SPEC.formatted(3, "100000"));
        Path v2 = Files.writeString(directory.resolve("v2.yaml"), SPEC.formatted(2, "100001"));

        CliResult up = run("up", v1.toString());
        assertThat(up.exitCode()).as(up.out() + up.err()).isZero();
        assertThat(up.out()).startsWith("Submitted job demo/web version 1\n").contains("2/2 instances running");
        long index = stableIndex();

        // A count change: one instance to place, the running ones kept; nothing changes.
        CliResult countDiff = run("diff", scaled.toString());
        assertThat(countDiff.exitCode()).as(countDiff.err()).isZero();
        assertThat(countDiff.out()).startsWith("Job demo/web: version 1 -> 2\n\n  ~ groups[main].count: 2 -> 3\n")
                .containsPattern("  ~   web\\.main\\[0\\]  in place on agent-\\d")
                .containsPattern("  \\+   web\\.main\\[2\\]  place on agent-\\d")
                .endsWith("Plan: 1 to place, 0 to replace, 0 to stop, 2 in place\n");
        // A task change: every instance replaced; nothing changes either.
        CliResult taskDiff = run("diff", v2.toString());
        assertThat(taskDiff.out()).contains("  ~ groups[main].tasks[sleeper].config.args: [\"100000\"] -> [\"100001\"]\n")
                // A rolling update (max_parallel 1): index 0 now, index 1 in a later step.
                .containsPattern("  -/\\+ web\\.main\\[0\\]  replace on agent-\\d \\([0-9a-f]{8}\\) -> agent-\\d")
                .containsPattern("  -/\\+ web\\.main\\[1\\]  replace on agent-\\d \\([0-9a-f]{8}\\) later in the rolling update")
                .endsWith("Plan: 0 to place, 2 to replace, 0 to stop\n");
        assertThat(client.status().appliedIndex()).isEqualTo(index);
        assertThat(client.jobVersions("demo/web")).hasSize(1);

        // up shows the same diff, and applies it without asking: this is not a terminal.
        CliResult change = run("up", v2.toString());
        assertThat(change.exitCode()).as(change.out() + change.err()).isZero();
        assertThat(change.out()).startsWith("Job demo/web: version 1 -> 2\n")
                .contains("  ~ groups[main].tasks[sleeper].config.args: [\"100000\"] -> [\"100001\"]\n")
                .contains("Plan: 0 to place, 2 to replace, 0 to stop\n\nSubmitted job demo/web version 2\n")
                .contains("2/2 instances running");

        CliResult history = run("history", "web");
        assertThat(history.exitCode()).isZero();
        assertThat(history.out().lines().toList()).hasSize(3);
        assertThat(history.out().lines().toList().get(1))
                .matches("2 +\\d+s ago +current +groups\\[main\\]\\.tasks\\[sleeper\\]\\.config\\.args changed");
        assertThat(history.out().lines().toList().get(2)).matches("1 +\\d+s ago +created");

        CliResult rollback = run("rollback", "web");
        assertThat(rollback.exitCode()).as(rollback.out() + rollback.err()).isZero();
        assertThat(rollback.out()).startsWith("""
                Rolled back job demo/web to the spec of version 1: now version 3
                  ~ groups[main].tasks[sleeper].config.args: ["100001"] -> ["100000"]
                """).contains("2/2 instances running");
        Job current = client.jobStatus("demo/web").job();
        assertThat(current.version()).isEqualTo(3);
        assertThat(current.sameSpecAs(JobSpecParser.parse(SPEC.formatted(2, "100000")))).isTrue();
        List<Instance> live = client.jobStatus("demo/web").instances().stream().filter(Instance::isLive).toList();
        assertThat(live).hasSize(2).allMatch(instance -> instance.jobVersion() == 3);

        CliResult same = run("rollback", "web", "--to", "3", "--detach");
        assertThat(same.out()).isEqualTo("Job demo/web version 3 already has the spec of version 3; nothing changed\n");
        CliResult unknown = run("rollback", "web", "--to", "9");
        assertThat(unknown.exitCode()).isEqualTo(3);
        assertThat(unknown.err()).isEqualTo("Error: job demo/web has no version 9; the versions kept are 3, 2, 1\n");
    }

    /** The state index once the agents have reported everything (reports are the only writes while idle). */
    private static long stableIndex() throws InterruptedException {
        long previous = -1;
        long current = client.status().appliedIndex();
        while (current != previous) {
            Thread.sleep(1000);
            previous = current;
            current = client.status().appliedIndex();
        }
        return current;
    }

    private static CliResult run(String... args) {
        return CliResult.run(cluster.servers().getFirst().httpAddress(), args);
    }
}

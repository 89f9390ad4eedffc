package io.herd.server;

import io.herd.api.ErrorCode;
import io.herd.api.ErrorDetail;
import io.herd.api.Evaluation;
import io.herd.api.EvaluationStatus;
import io.herd.api.HerdException;
import io.herd.api.Instance;
import io.herd.api.PlacementFailure;
import io.herd.api.wire.JobStatus;
import io.herd.client.HerdClient;
import io.herd.testkit.Nodes;
import io.herd.testkit.TestingCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

/**
 * Constraints, per-node limits and spread targets end to end on a real single-replica server: the spec goes in
 * over HTTP, the leader's scheduler worker and plan applier place what they can, and the job's status says why the
 * rest is pending. Nodes are registered through the API (no agents: nothing needs to run).
 */
class PlacementRulesServerTest {
    @TempDir
    Path dataDir;
    private HerdServer server;
    private HerdClient client;

    @BeforeEach
    void start() {
        server = HerdServer.start(new ServerConfig("server-1", dataDir, "127.0.0.1:0",
                "127.0.0.1:" + TestingCluster.freePort(), List.of(), Duration.ofSeconds(30), Duration.ofSeconds(1), 2));
        client = new HerdClient(List.of(server.httpAddress()));
        await().atMost(Duration.ofSeconds(30)).until(() -> server.isLeader() && !client.status().servers().isEmpty());
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void placesWhatTheRulesAllowAndSaysWhyTheRestIsPending() {
        List.of("4.19.0-25-amd64", "4.9", "3.10", "5.3").forEach(kernel -> register("old-" + kernel, "a", kernel));
        register("new-1", "a", "5.15.0-91-generic");
        register("new-2", "b", "6.1");

        client.submitJob("""
                job: web
                app: demo
                constraints:
                  - {attr: node.kernel, op: version, values: [">= 5.4, < 7"]}
                groups:
                  - name: web
                    count: 5
                    distinct_hosts: true
                    affinities: [{attr: node.zone, value: b, weight: 50}]
                    tasks:
                      - {name: server, driver: exec, config: {command: /bin/sleep, args: ["1000"]}}
                """);

        JobStatus status = await().atMost(Duration.ofSeconds(10)).until(() -> client.jobStatus("demo/web"),
                current -> current.evaluations().stream().anyMatch(evaluation -> evaluation.status() == EvaluationStatus.BLOCKED));
        assertThat(status.instances()).filteredOn(Instance::isLive).extracting(Instance::nodeName)
                .containsExactlyInAnyOrder("new-1", "new-2");
        Evaluation blocked = status.evaluations().stream()
                .filter(evaluation -> evaluation.status() == EvaluationStatus.BLOCKED).findFirst().orElseThrow();
        PlacementFailure failure = blocked.failures().getFirst();
        assertThat(failure.group()).isEqualTo("web");
        assertThat(failure.unplaced()).isEqualTo(3);
        assertThat(failure.reasons()).containsOnly(
                entry("constraint node.kernel version >= 5.4, < 7 not met", 4),
                entry("distinct_hosts: already runs an instance of web", 2));
    }

    @Test
    void spreadTargetsSplitTheInstances() {
        for (int i = 1; i <= 3; i++) {
            register("a-" + i, "a", "6.1");
            register("b-" + i, "b", "6.1");
        }

        client.submitJob("""
                job: web
                app: demo
                groups:
                  - name: web
                    count: 10
                    spread: {attr: node.zone, targets: [{value: a, percent: 70}, {value: b, percent: 30}]}
                    tasks:
                      - {name: server, driver: exec, config: {command: /bin/sleep, args: ["1000"]}}
                """);

        List<Instance> live = await().atMost(Duration.ofSeconds(10))
                .until(() -> client.jobStatus("demo/web").instances().stream().filter(Instance::isLive).toList(),
                        instances -> instances.size() == 10);
        Map<String, Long> byZone = live.stream()
                .collect(Collectors.groupingBy(instance -> instance.nodeName().substring(0, 1), Collectors.counting()));
        assertThat(byZone).containsOnly(entry("a", 7L), entry("b", 3L));
    }

    @Test
    void aBadRegexIsRefusedWithItsPathAndChangesNothing() {
        long index = client.status().appliedIndex();

        assertThatThrownBy(() -> client.submitJob("""
                job: web
                app: demo
                groups:
                  - name: web
                    constraints: [{attr: node.name, op: regex, value: "web-("}]
                    max_per_node: 0
                    tasks:
                      - {name: server, driver: exec, config: {command: /bin/true}}
                """)).isInstanceOfSatisfying(HerdException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_JOB_SPEC);
                    assertThat(e.details()).extracting(ErrorDetail::path)
                            .containsExactly("groups[0].constraints[0].value", "groups[0].max_per_node");
                });
        assertThat(client.status().appliedIndex()).isEqualTo(index);
    }

    private void register(String name, String zone, String kernel) {
        client.registerNode(Nodes.node(name).label("zone", zone).label("kernel", kernel).address("127.0.0.1:1")
                .registerTime(Instant.now()).build());
    }
}

package io.herd.server;

import io.herd.api.DesiredStatus;
import io.herd.api.Evaluation;
import io.herd.api.EvaluationStatus;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.api.PortRange;
import io.herd.api.Resources;
import io.herd.api.TaskState;
import io.herd.api.TaskStatus;
import io.herd.api.wire.JobStatus;
import io.herd.api.wire.SubmitJobResponse;
import io.herd.client.HerdClient;
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
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real single-replica server (Ratis on loopback, HTTP) driven through the HTTP client. The test plays the
 * agents' side of the protocol itself, so it can check exactly what the server asks of them.
 */
class HerdServerTest {
    private static final String SPEC = """
            job: web
            app: demo
            groups:
              - name: main
                count: 4
                tasks:
                  - name: server
                    driver: exec
                    config: {command: /bin/sleep, args: ["1000"]}
                    resources: {cpu: 500m, memory: 256Mi}
                    ports: [http]
            """;

    @TempDir
    Path dataDir;
    private HerdServer server;
    private HerdClient client;
    /** Nodes whose heartbeats this test sends, as their agents would. */
    private final Set<String> beating = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private Thread heartbeats;

    @BeforeEach
    void start() {
        server = HerdServer.start(new ServerConfig("server-1", dataDir, "127.0.0.1:0",
                "127.0.0.1:" + TestingCluster.freePort(), List.of(), Duration.ofSeconds(2), Duration.ofMillis(500), 2));
        client = new HerdClient(List.of(server.httpAddress()));
        await().atMost(Duration.ofSeconds(30)).until(() -> server.isLeader() && !client.status().servers().isEmpty());
        heartbeats = Thread.ofVirtual().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    for (String name : beating) {
                        client.heartbeat(nodeId(name));
                    }
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException ignored) {
                    // retried on the next beat
                }
            }
        });
    }

    @AfterEach
    void stop() {
        heartbeats.interrupt();
        client.close();
        server.close();
    }

    @Test
    void placesInstancesOnRegisteredNodesAndStopsThem() {
        register("node-a", 1000);
        register("node-b", 1000);
        SubmitJobResponse submitted = client.submitJob(SPEC);
        assertThat(submitted.version()).isEqualTo(1);
        assertThat(submitted.changed()).isTrue();

        await().atMost(Duration.ofSeconds(10)).until(() -> live().size() == 4);
        Map<String, Long> perNode = live().stream().collect(Collectors.groupingBy(Instance::nodeName, Collectors.counting()));
        assertThat(perNode).containsEntry("node-a", 2L).containsEntry("node-b", 2L);
        assertThat(client.nodeInstances(nodeId("node-a"), 0, Duration.ZERO).value()).hasSize(2);

        // Same spec again: nothing changes.
        SubmitJobResponse again = client.submitJob(SPEC);
        assertThat(again.changed()).isFalse();
        assertThat(again.version()).isEqualTo(1);

        // Agents report running; the job shows it.
        for (String node : List.of("node-a", "node-b")) {
            List<InstanceStatusUpdate> updates = client.nodeInstances(nodeId(node), 0, Duration.ZERO).value().stream()
                    .map(instance -> new InstanceStatusUpdate(instance.id(), InstanceState.RUNNING, null, Map.of("server",
                            new TaskState(TaskStatus.RUNNING, 4242L, null, null, null, 0, Instant.now(), null))))
                    .toList();
            client.reportInstances(nodeId(node), updates);
        }
        assertThat(live()).allMatch(instance -> instance.state() == InstanceState.RUNNING);
        assertThat(client.listJobs().getFirst().running()).isEqualTo(4);

        client.stopJob("demo/web", false);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.jobStatus("demo/web").instances().stream()
                .allMatch(instance -> instance.desired() == DesiredStatus.STOP));
    }

    @Test
    void explainsWhyInstancesCannotBePlaced() {
        register("small", 600);
        client.submitJob(SPEC);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            List<Evaluation> evaluations = client.jobStatus("demo/web").evaluations();
            return !evaluations.isEmpty() && evaluations.getFirst().status() == EvaluationStatus.BLOCKED;
        });
        JobStatus status = client.jobStatus("demo/web");
        assertThat(live()).hasSize(1);
        assertThat(status.evaluations().getFirst().failures().getFirst().summary()).isEqualTo("1 node: insufficient cpu");

        // A new node brings capacity: the blocked evaluation is retried and the rest is placed.
        register("big", 4000);
        await().atMost(Duration.ofSeconds(10)).until(() -> live().size() == 4);
    }

    @Test
    void aFailedInstanceIsReplacedAfterADelay() {
        register("node-a", 4000);
        client.submitJob(SPEC.replace("count: 4", "count: 1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> live().size() == 1);
        Instance first = live().getFirst();
        Instant failedAt = Instant.now();
        client.reportInstances(nodeId("node-a"), List.of(new InstanceStatusUpdate(first.id(), InstanceState.FAILED,
                "task server exited with code 1", Map.of())));

        // The replacement waits (5 s after a first failure), announced by a waiting evaluation.
        await().atMost(Duration.ofSeconds(3)).until(() -> client.jobStatus("demo/web").evaluations().stream()
                .anyMatch(evaluation -> evaluation.status() == EvaluationStatus.PENDING && evaluation.waitUntil() != null));
        assertThat(live()).isEmpty();
        await().atMost(Duration.ofSeconds(15)).until(() -> live().size() == 1);
        Instance replacement = live().getFirst();
        assertThat(replacement.previousInstanceId()).isEqualTo(first.id());
        assertThat(Duration.between(failedAt, replacement.createTime())).isGreaterThanOrEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void silentNodeGoesDownAndItsInstancesAreReplaced() {
        register("node-a", 4000);
        register("node-b", 4000);
        client.submitJob(SPEC);
        await().atMost(Duration.ofSeconds(10)).until(() -> live().size() == 4);
        Set<String> onA = live().stream().filter(instance -> instance.nodeName().equals("node-a"))
                .map(Instance::id).collect(Collectors.toSet());
        assertThat(onA).isNotEmpty();

        beating.remove("node-a");
        await().atMost(Duration.ofSeconds(15)).until(() -> client.listNodes().stream()
                .anyMatch(node -> node.name().equals("node-a") && node.status() == NodeStatus.DOWN));
        await().atMost(Duration.ofSeconds(10)).until(() -> live().size() == 4
                && live().stream().allMatch(instance -> instance.nodeName().equals("node-b")));
        assertThat(client.jobStatus("demo/web").instances()).filteredOn(instance -> onA.contains(instance.id()))
                .allMatch(instance -> instance.state() == InstanceState.LOST);
    }

    @Test
    void conditionsOnAHeartbeatAreStoredOnlyWhenTheyChangeAndASevereOneStopsPlacements() {
        register("node-a", 4000);
        Instant since = Instant.parse("2026-01-01T00:00:00Z");
        io.herd.api.NodeCondition pressure = new io.herd.api.NodeCondition(io.herd.api.NodeCondition.DISK_PRESSURE,
                io.herd.api.ConditionStatus.TRUE, "DiskLow", "96% of disk used", since);
        client.heartbeat(nodeId("node-a"), new io.herd.api.wire.HeartbeatRequest(List.of(pressure)));
        assertThat(client.node("node-a").conditions()).containsExactly(pressure);
        assertThat(conditionCommands()).as("one command for the change").isEqualTo(1);

        // The same report again, and plain heartbeats: nothing goes through Raft.
        client.heartbeat(nodeId("node-a"), new io.herd.api.wire.HeartbeatRequest(List.of(pressure)));
        client.heartbeat(nodeId("node-a"));
        assertThat(conditionCommands()).isEqualTo(1);

        client.submitJob(SPEC);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.jobStatus("demo/web").evaluations().stream()
                .anyMatch(evaluation -> evaluation.status() == EvaluationStatus.BLOCKED));
        assertThat(live()).isEmpty();

        // A bad report is refused (400) and changes nothing.
        assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(io.herd.api.HerdException.class,
                () -> client.heartbeat(nodeId("node-a"), new io.herd.api.wire.HeartbeatRequest(List.of(pressure,
                        pressure)))).code()).isEqualTo(io.herd.api.ErrorCode.INVALID_ARGUMENT);
        assertThat(client.node("node-a").conditions()).containsExactly(pressure);

        client.heartbeat(nodeId("node-a"), new io.herd.api.wire.HeartbeatRequest(List.of(pressure.update(
                io.herd.api.ConditionStatus.FALSE, "DiskAvailable", "60% of disk used", since.plusSeconds(60)))));
        await().atMost(Duration.ofSeconds(10)).until(() -> live().size() == 4);
    }

    /** How many SetNodeConditions commands this server proposed, from its /metrics. */
    private long conditionCommands() {
        try {
            java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + server.httpAddress() + "/metrics"))
                            .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            return response.body().lines()
                    .filter(line -> line.startsWith("herd_raft_apply_duration_seconds_count{command=\"SetNodeConditions\"}"))
                    .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                    .sum();
        } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private String nodeId(String name) {
        return "id-" + name;
    }

    private void register(String name, long cpuMillis) {
        beating.add(name);
        client.registerNode(new Node(nodeId(name), name, "127.0.0.1:1", new Resources(cpuMillis, 8L << 30, 100L << 30),
                Map.of("rack", name), Set.of("exec"), PortRange.DEFAULT, NodeStatus.READY, Instant.now(), Instant.now()));
    }

    private List<Instance> live() {
        return client.jobStatus("demo/web").instances().stream().filter(Instance::isLive).toList();
    }
}

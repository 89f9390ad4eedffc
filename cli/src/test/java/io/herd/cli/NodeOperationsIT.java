package io.herd.cli;

import io.herd.api.ConditionStatus;
import io.herd.api.Event;
import io.herd.api.EventLevel;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.Json;
import io.herd.api.Node;
import io.herd.api.NodeCondition;
import io.herd.api.NodeEligibility;
import io.herd.client.HerdClient;
import io.herd.testkit.TestingCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Node problem detection and drains end to end: one real server and three agent processes. agent-3 starts with a
 * disk pressure threshold of 1%, which any filesystem trips: its condition reaches {@code herd nodes}, the event log,
 * and the scheduler, which leaves a job pinned to it pending with the reason. Then agent-1 is drained with
 * {@code herd node drain} while a poller checks, all along, that the group never has more than max_parallel
 * indices without a ready instance.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeOperationsIT {
    private static final String PINNED = """
            job: pinned
            app: demo
            constraints:
              - {attr: node.name, op: "=", values: [agent-3]}
            groups:
              - name: main
                count: 1
                tasks:
                  - name: sleeper
                    driver: exec
                    config: {command: /bin/sleep, args: ["100000"]}
                    resources: {cpu: 50m, memory: 16Mi}
            """;
    private static final String WEB = """
            job: web
            app: demo
            groups:
              - name: main
                count: 4
                update: {max_parallel: 1}
                tasks:
                  - name: sleeper
                    driver: exec
                    config: {command: /bin/sleep, args: ["100000"]}
                    resources: {cpu: 50m, memory: 16Mi}
                    kill_timeout: 1s
            """;

    private static TestingCluster cluster;
    private static HerdClient client;


    @BeforeAll
    static void startCluster() {
        cluster = TestingCluster.start(1, Duration.ofSeconds(10));
        cluster.startAgent("agent-1", "2", "2Gi", "rack=r1");
        cluster.startAgent("agent-2", "2", "2Gi", "rack=r2");
        cluster.startAgent("agent-3", "2", "2Gi",
                List.of("--disk-pressure-threshold", "1", "--problem-check-interval", "1s"), "rack=r3");
        client = cluster.client();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Node node(String name) {
        return cluster.node(name).orElseThrow();
    }

    @Test
    @Order(1)
    void aNodeUnderDiskPressureIsShownWarnedAboutAndTakesNothingNew() {
        cluster.awaitCondition("agent-3 reports disk pressure", Duration.ofSeconds(30), () -> node("agent-3")
                .condition(NodeCondition.DISK_PRESSURE).map(NodeCondition::isTrue).orElse(false));
        NodeCondition pressure = node("agent-3").condition(NodeCondition.DISK_PRESSURE).orElseThrow();
        assertThat(pressure.reason()).isEqualTo("DiskLow");
        assertThat(pressure.message()).contains("threshold 1%");
        // The other agents have every condition, and no severe one is true (the clock may be unknown here).
        for (String name : List.of("agent-1", "agent-2")) {
            assertThat(node(name).conditions()).extracting(NodeCondition::type).contains(NodeCondition.DISK_PRESSURE,
                    NodeCondition.MEMORY_PRESSURE, NodeCondition.PID_PRESSURE, NodeCondition.CLOCK_UNSYNCHRONIZED,
                    NodeCondition.DRIVER_UNAVAILABLE);
            assertThat(node(name).placementBlocker()).isEmpty();
        }

        CliResult table = run("nodes");
        assertThat(table.exitCode()).isZero();
        assertThat(table.out().lines().filter(line -> line.contains("agent-3")).findFirst().orElseThrow())
                .contains("DiskPressure!");
        CliResult json = run("nodes", "-o", "json");
        List<Node> nodes = Json.read(json.out(), new com.fasterxml.jackson.core.type.TypeReference<List<Node>>() {});
        assertThat(nodes).filteredOn(node -> node.name().equals("agent-3")).singleElement().satisfies(node ->
                assertThat(node.condition(NodeCondition.DISK_PRESSURE).map(NodeCondition::status))
                        .contains(ConditionStatus.TRUE));

        List<Event> events = client.events(new HerdClient.EventQuery(null, null, null, "agent-3", null,
                "NodeConditionChanged", null, null), 100);
        assertThat(events).anySatisfy(event -> {
            assertThat(event.level()).isEqualTo(EventLevel.WARNING);
            assertThat(event.message()).startsWith("DiskPressure is true");
        });

        assertThat(run("up", "--yes", "--detach", writeSpec("pinned", PINNED)).exitCode()).isZero();
        cluster.awaitCondition("demo/pinned pending with the node's reason", Duration.ofSeconds(30),
                () -> run("status", "demo/pinned").out().contains("node has disk pressure"));
        assertThat(client.jobStatus("demo/pinned").instances()).noneMatch(Instance::isLive);
        assertThat(run("down", "--purge", "--detach", "demo/pinned").exitCode()).isZero();
    }

    @Test
    @Order(2)
    void aDrainEmptiesTheNodeWithinMaxParallelAndTheNodeStaysIneligible() throws Exception {
        assertThat(run("up", "--yes", writeSpec("web", WEB)).exitCode()).isZero();
        cluster.awaitCondition("4 instances running", Duration.ofSeconds(60), () -> readyIndices() == 4);
        String drained = "agent-1";
        long onDrained = live().stream().filter(instance -> instance.nodeName().equals(drained)).count();
        assertThat(onDrained).as("anti-affinity put some on agent-1 (agent-3 takes nothing)").isPositive();

        AtomicBoolean draining = new AtomicBoolean(true);
        AtomicInteger fewestReady = new AtomicInteger(4);
        AtomicInteger polls = new AtomicInteger();
        CompletableFuture<Void> poller = CompletableFuture.runAsync(() -> {
            while (draining.get()) {
                fewestReady.accumulateAndGet(readyIndices(), Math::min);
                polls.incrementAndGet();
            }
        });
        long start = System.nanoTime();
        CliResult drain;
        try {
            drain = run("node", "drain", drained, "--deadline", "2m", "-o", "json");
        } finally {
            draining.set(false);
            poller.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("BENCHMARK drain of %d instances off %s (max_parallel 1): %.1f s, %d polls, fewest ready %d%n",
                onDrained, drained, seconds, polls.get(), fewestReady.get());

        assertThat(drain.exitCode()).as(drain.out() + drain.err()).isZero();
        Map<String, Object> result = Json.read(drain.out(),
                new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {});
        assertThat(result).containsEntry("drained", true).containsEntry("instances_left", 0);
        assertThat(fewestReady.get()).as("ready indices at every poll (count 4 - max_parallel 1)")
                .isGreaterThanOrEqualTo(3);
        assertThat(polls.get()).isPositive();
        assertThat(client.nodeInstances(node(drained).id(), 0, Duration.ZERO).value())
                .allMatch(instance -> instance.state().isTerminal());
        assertThat(live()).hasSize(4).allMatch(instance -> instance.nodeName().equals("agent-2"));
        assertThat(node(drained).eligibility()).isEqualTo(NodeEligibility.INELIGIBLE);
        assertThat(node(drained).isDraining()).isFalse();

        List<Event> events = client.events(new HerdClient.EventQuery("demo", null, null, null, null, null, null, null),
                500);
        assertThat(events).filteredOn(event -> event.reason().equals("Migrated")).hasSize((int) onDrained);
        List<Event> nodeEvents = client.events(new HerdClient.EventQuery(null, null, null, drained, null, null, null,
                null), 100);
        assertThat(nodeEvents).extracting(Event::reason).contains("NodeDraining", "NodeDrained");

        CliResult on = run("node", "eligibility", drained, "on");
        assertThat(on.exitCode()).isZero();
        assertThat(on.out()).contains("Node agent-1 is eligible");
        assertThat(node(drained).eligibility()).isEqualTo(NodeEligibility.ELIGIBLE);
    }

    @Test
    @Order(3)
    void badInputIsAClearErrorAndChangesNothing() {
        CliResult unknown = run("node", "drain", "no-such-node");
        assertThat(unknown.exitCode()).isNotZero();
        assertThat(unknown.err()).contains("no node with id, id prefix or name no-such-node");
        CliResult notDraining = run("node", "drain", "agent-2", "--cancel");
        assertThat(notDraining.exitCode()).isNotZero();
        assertThat(notDraining.err()).contains("is not draining");
        CliResult badValue = run("node", "eligibility", "agent-2", "maybe");
        assertThat(badValue.exitCode()).isNotZero();
        assertThat(badValue.err()).contains("on or off");
        assertThat(node("agent-2").eligibility()).isEqualTo(NodeEligibility.ELIGIBLE);
        assertThat(node("agent-2").isDraining()).isFalse();
    }

    private static List<Instance> live() {
        return client.jobInstances("demo/web", 0, Duration.ZERO).value().stream().filter(Instance::isLive).toList();
    }

    /** Indices of demo/web with a running instance: what serves. */
    private static int readyIndices() {
        return (int) client.jobInstances("demo/web", 0, Duration.ZERO).value().stream()
                .filter(instance -> instance.isReady() && instance.state() == InstanceState.RUNNING)
                .map(Instance::index).distinct().count();
    }

    private static String writeSpec(String name, String text) {
        try {
            java.nio.file.Path file = cluster.root().resolve(name + ".yaml");
            java.nio.file.Files.writeString(file, text);
            return file.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static CliResult run(String... args) {
        return CliResult.run(cluster.servers().getFirst().httpAddress(), args);
    }
}

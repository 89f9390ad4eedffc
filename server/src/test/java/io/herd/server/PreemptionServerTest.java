package io.herd.server;

import io.herd.api.DesiredStatus;
import io.herd.api.Evaluation;
import io.herd.api.EvaluationStatus;
import io.herd.api.GpuDevice;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.api.PortRange;
import io.herd.api.Resources;
import io.herd.api.wire.JobDiff;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Preemption end to end through a real single-replica server (Ratis, HTTP, scheduler workers, plan applier): a
 * best-effort job fills a GPU node, a production job arrives and evicts what it needs in one committed plan; the
 * victims show why, wait with a reason, and are placed again once room appears. The test plays the agent.
 */
class PreemptionServerTest {
    private static final String BEST_EFFORT = """
            job: scavenger
            app: demo
            priority: 10
            groups:
              - name: main
                count: 4
                tasks:
                  - name: crunch
                    driver: exec
                    config: {command: /bin/sleep, args: ["1000"]}
                    resources: {cpu: 500m, memory: 256Mi, gpu: 0.5}
            """;
    private static final String PRODUCTION = """
            job: trainer
            app: demo
            priority: 200
            groups:
              - name: main
                count: 1
                tasks:
                  - name: train
                    driver: exec
                    config: {command: /bin/sleep, args: ["1000"]}
                    resources: {cpu: 500m, memory: 256Mi, gpu: 1, gpu_model: V100}
            """;

    @TempDir
    Path dataDir;
    private HerdServer server;
    private HerdClient client;
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
                        client.heartbeat("id-" + name);
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
    void aProductionJobPreemptsBestEffortInstancesWhichWaitAndComeBackWhenRoomAppears() {
        register("gpu-a");
        client.submitJob(BEST_EFFORT);
        await().atMost(Duration.ofSeconds(10)).until(() -> live("demo/scavenger").size() == 4);
        reportRunning("demo/scavenger");

        // The dry run shows what would be evicted, and changes nothing.
        JobDiff diff = client.diffJob(PRODUCTION);
        assertThat(diff.preemptions()).hasSize(2)
                .allSatisfy(preemption -> assertThat(preemption.jobId()).isEqualTo("demo/scavenger"));
        assertThat(live("demo/scavenger")).hasSize(4);

        client.submitJob(PRODUCTION);
        await().atMost(Duration.ofSeconds(10)).until(() -> live("demo/trainer").size() == 1);

        // The two shares on one device made way for one whole GPU, in the same committed plan.
        Instance trainer = live("demo/trainer").getFirst();
        List<Instance> victims = client.jobStatus("demo/scavenger").instances().stream()
                .filter(instance -> instance.desired() == DesiredStatus.EVICT).toList();
        assertThat(victims).hasSize(2).allSatisfy(victim -> {
            assertThat(victim.reason()).isEqualTo("Preempted by demo/trainer.main[0]");
            assertThat(victim.gpuDevices()).isEqualTo(trainer.gpuDevices());
        });

        // The agent stops the victims; their job waits for room, and says preemption cannot help it.
        client.reportInstances("id-gpu-a", victims.stream().map(victim -> new InstanceStatusUpdate(victim.id(),
                InstanceState.COMPLETE, victim.reason(), Map.of())).toList());
        reportRunning("demo/trainer");
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            List<Evaluation> evaluations = client.jobStatus("demo/scavenger").evaluations();
            return !evaluations.isEmpty() && evaluations.getFirst().status() == EvaluationStatus.BLOCKED;
        });
        var failure = client.jobStatus("demo/scavenger").evaluations().getFirst().failures().getFirst();
        assertThat(failure.unplaced()).isEqualTo(2);
        assertThat(failure.preemptionSummary()).hasValueSatisfying(text ->
                assertThat(text).contains("no lower-priority instances to preempt"));
        assertThat(client.jobStatus("demo/scavenger").instances()).filteredOn(instance -> instance.id().equals(
                victims.getFirst().id())).singleElement().satisfies(instance -> {
                    assertThat(instance.state()).isEqualTo(InstanceState.COMPLETE);
                    assertThat(instance.reason()).startsWith("Preempted by demo/trainer");
                });

        // A second node brings room: the victims are placed again through the normal reconcile.
        register("gpu-b");
        await().atMost(Duration.ofSeconds(10)).until(() -> live("demo/scavenger").size() == 4);
        assertThat(live("demo/scavenger")).filteredOn(instance -> instance.nodeName().equals("gpu-b")).hasSize(2);
    }

    @Test
    void productionDoesNotPreemptProduction() {
        register("gpu-a");
        client.submitJob(PRODUCTION.replace("count: 1", "count: 2").replace("job: trainer", "job: first"));
        await().atMost(Duration.ofSeconds(10)).until(() -> live("demo/first").size() == 2);

        client.submitJob(PRODUCTION.replace("job: trainer", "job: second").replace("priority: 200", "priority: 299"));
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            List<Evaluation> evaluations = client.jobStatus("demo/second").evaluations();
            return !evaluations.isEmpty() && evaluations.getFirst().status() == EvaluationStatus.BLOCKED;
        });
        assertThat(live("demo/first")).hasSize(2);
        assertThat(client.jobStatus("demo/second").evaluations().getFirst().failures().getFirst().summary())
                .isEqualTo("1 node: insufficient gpu");
    }

    private void register(String name) {
        beating.add(name);
        client.registerNode(new Node("id-" + name, name, "127.0.0.1:1", new Resources(8000, 16L << 30, 100L << 30),
                Map.of("rack", name), Set.of("exec"), PortRange.DEFAULT, NodeStatus.READY, Instant.now(), Instant.now(),
                List.of(new GpuDevice(0, "V100", 16L << 30), new GpuDevice(1, "V100", 16L << 30))));
    }

    private void reportRunning(String jobId) {
        for (Instance instance : live(jobId)) {
            client.reportInstances(instance.nodeId(), List.of(new InstanceStatusUpdate(instance.id(),
                    InstanceState.RUNNING, null, Map.of())));
        }
    }

    private List<Instance> live(String jobId) {
        return client.jobStatus(jobId).instances().stream().filter(Instance::isLive).toList();
    }
}

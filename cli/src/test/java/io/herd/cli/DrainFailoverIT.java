package io.herd.cli;

import io.herd.api.Event;
import io.herd.api.Instance;
import io.herd.api.Node;
import io.herd.client.HerdClient;
import io.herd.testkit.TestingCluster;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A drain is replicated state, not the leader's memory: three servers, two agents, a drain that moves instances
 * one at a time (each replacement needs a few seconds to pass its check), and the leader killed while it runs. The
 * new leader carries the drain on until the node is empty.
 */
class DrainFailoverIT {
    private static final String SPEC = """
            job: slow
            app: demo
            groups:
              - name: main
                count: 3
                update: {max_parallel: 1, min_healthy_time: 0s}
                services:
                  - name: site
                    port: http
                    check: {type: exec, command: /bin/sh, args: ["-c", "test -f ${HERD_TASK_DIR}/ready"], interval: 500ms}
                tasks:
                  - name: sleeper
                    driver: exec
                    config: {command: /bin/sh, args: ["-c", "sleep 2; touch $HERD_TASK_DIR/ready; exec sleep 100000"]}
                    resources: {cpu: 50m, memory: 16Mi}
                    ports: [http]
                    kill_timeout: 1s
            """;

    @Test
    void theNewLeaderCarriesTheDrainOn() {
        try (TestingCluster cluster = TestingCluster.start(3, Duration.ofSeconds(10))) {
            cluster.startAgent("agent-1", "2", "2Gi", "rack=r1");
            cluster.startAgent("agent-2", "2", "2Gi", "rack=r2");
            HerdClient client = cluster.client();
            client.submitJob(SPEC);
            cluster.awaitCondition("3 healthy instances", Duration.ofSeconds(60), () -> live(client).stream()
                    .filter(instance -> instance.isReady() && Boolean.TRUE.equals(instance.healthy())).count() == 3);
            Set<String> onAgent1 = live(client).stream().filter(instance -> instance.nodeName().equals("agent-1"))
                    .map(Instance::id).collect(Collectors.toSet());
            assertThat(onAgent1).as("anti-affinity put some on agent-1").isNotEmpty();

            TestingCluster.Member firstLeader = cluster.awaitLeader(Duration.ofSeconds(30));
            Node draining = client.drainNode("agent-1", "2m", false);
            assertThat(draining.isDraining()).isTrue();
            cluster.awaitCondition("the first replacement placed", Duration.ofSeconds(30), () -> live(client).stream()
                    .anyMatch(instance -> onAgent1.contains(instance.previousInstanceId())));
            // Each replacement needs about 2 s to pass its check: the drain is still going when the leader dies.
            assertThat(client.node("agent-1").isDraining()).as("agent-1 still draining").isTrue();
            long killedAt = System.nanoTime();
            cluster.kill(firstLeader);
            TestingCluster.Member newLeader = cluster.awaitLeader(Duration.ofSeconds(60));
            assertThat(newLeader).isNotSameAs(firstLeader);

            cluster.awaitCondition("agent-1 drained under the new leader", Duration.ofSeconds(60), () -> {
                try {
                    Node node = client.node("agent-1");
                    return !node.isDraining() && client.nodeInstances(node.id(), 0, Duration.ZERO).value().stream()
                            .allMatch(instance -> instance.state().isTerminal());
                } catch (RuntimeException e) {
                    return false;
                }
            });
            System.out.printf("drain of %d instances finished %.1f s after leader %s died (new leader %s)%n",
                    onAgent1.size(), (System.nanoTime() - killedAt) / 1e9, firstLeader.name(), newLeader.name());
            List<Instance> live = live(client);
            assertThat(live).hasSize(3).allMatch(instance -> instance.nodeName().equals("agent-2"));
            List<Event> drained = client.events(new HerdClient.EventQuery(null, null, null, "agent-1", null,
                    "NodeDrained", null, null), 10);
            assertThat(drained).hasSize(1);
            assertThat(client.events(new HerdClient.EventQuery("demo", null, null, null, null, "Migrated", null, null),
                    100)).hasSize(onAgent1.size());
        }
    }

    private static List<Instance> live(HerdClient client) {
        try {
            return client.jobInstances("demo/slow", 0, Duration.ZERO).value().stream().filter(Instance::isLive)
                    .toList();
        } catch (RuntimeException e) {
            return List.of();
        }
    }
}

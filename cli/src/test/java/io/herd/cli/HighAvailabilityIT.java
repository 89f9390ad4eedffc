package io.herd.cli;

import io.herd.api.wire.JobSummary;
import io.herd.api.wire.SubmitJobResponse;
import io.herd.client.HerdClient;
import io.herd.testkit.TestingCluster;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three servers: the leader dies while jobs are being submitted; no acknowledged job is lost, nor the event of
 * its registration (events are replicated state).
 */
class HighAvailabilityIT {
    private static final String SPEC = """
            job: %s
            app: ha
            type: batch
            groups:
              - name: main
                count: 1
                tasks:
                  - name: main
                    driver: exec
                    config: {command: /bin/true}
            """;

    @Test
    void acknowledgedJobsSurviveTheLeadersDeath() throws Exception {
        try (TestingCluster cluster = TestingCluster.start(3, Duration.ofSeconds(10))) {
            TestingCluster.Member firstLeader = cluster.awaitLeader(Duration.ofSeconds(60));
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicInteger attempts = new AtomicInteger();
            AtomicBoolean submitting = new AtomicBoolean(true);
            List<String> addresses = cluster.servers().stream().map(TestingCluster.Member::httpAddress).toList();
            Thread submitter = Thread.ofPlatform().start(() -> {
                try (HerdClient client = new HerdClient(addresses)) {
                    while (submitting.get()) {
                        String name = "job-" + attempts.incrementAndGet();
                        long start = System.nanoTime();
                        try {
                            SubmitJobResponse response = client.submitJob(SPEC.formatted(name));
                            acknowledged.add(response.jobId());
                        } catch (RuntimeException e) {
                            // Not acknowledged: the test makes no claim about it.
                            System.out.printf("%s not acknowledged after %d ms: %s%n", name,
                                    (System.nanoTime() - start) / 1_000_000, e.getMessage());
                        }
                    }
                }
            });
            cluster.awaitCondition("some jobs acknowledged", Duration.ofSeconds(30), () -> acknowledged.size() >= 10);
            cluster.kill(firstLeader);
            int beforeFailover = acknowledged.size();
            TestingCluster.Member newLeader = cluster.awaitLeader(Duration.ofSeconds(60));
            assertThat(newLeader).isNotSameAs(firstLeader);
            cluster.awaitCondition("jobs acknowledged by the new leader", Duration.ofSeconds(60),
                    () -> acknowledged.size() >= beforeFailover + 10);
            submitting.set(false);
            submitter.join();
            System.out.printf("%d submissions, %d acknowledged (%d before the leader died)%n", attempts.get(),
                    acknowledged.size(), beforeFailover);

            // Every live server has every acknowledged job.
            for (TestingCluster.Member server : cluster.servers()) {
                if (server.process().isEmpty()) {
                    continue;
                }
                assertJobsPresent(cluster, server, acknowledged);
            }

            // The old leader restarts from its disk and catches up.
            cluster.restart(firstLeader);
            assertJobsPresent(cluster, firstLeader, acknowledged);
        }
    }

    private static void assertJobsPresent(TestingCluster cluster, TestingCluster.Member server, Set<String> expected) {
        try (HerdClient direct = new HerdClient(List.of(server.httpAddress()))) {
            cluster.awaitCondition("all acknowledged jobs on " + server.name(), Duration.ofSeconds(60), () -> {
                try {
                    Set<String> present = direct.listJobs().stream().map(JobSummary::id).collect(Collectors.toSet());
                    Set<String> registeredEvents = direct.events(new HerdClient.EventQuery("ha", null, null, null,
                                    null, "Registered", null, null), 10_000).stream()
                            .map(event -> event.jobId()).collect(Collectors.toSet());
                    return present.containsAll(expected) && registeredEvents.containsAll(expected);
                } catch (RuntimeException e) {
                    return false;
                }
            });
        }
    }
}

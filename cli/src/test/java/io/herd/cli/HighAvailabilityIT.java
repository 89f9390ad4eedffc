package io.herd.cli;

import io.herd.api.wire.JobSummary;
import io.herd.api.wire.UsageResponse;
import io.herd.api.wire.SubmitJobResponse;
import io.herd.client.HerdClient;
import io.herd.testkit.TestingCluster;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three servers: the leader dies while jobs are being submitted; no acknowledged job is lost, nor the event of
 * its registration (events are replicated state). The same for the usage history behind {@code herd top}.
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

    /** A task that keeps about a third of a core busy and holds 48 MiB. */
    private static final String BUSY = """
            job: busy
            app: ha
            type: service
            groups:
              - name: main
                count: 1
                tasks:
                  - name: burner
                    driver: exec
                    config:
                      command: /usr/bin/python3
                      args:
                        - -c
                        - |
                          import time
                          held = bytearray(48 << 20)
                          for page in range(0, len(held), 4096):
                              held[page] = 1
                          while True:
                              start = time.monotonic()
                              while time.monotonic() - start < 0.1:
                                  pass
                              time.sleep(0.2)
                    resources: {cpu: 500m, memory: 256Mi}
                    kill_timeout: 1s
            """;

    @Test
    void herdTopShowsCpuAndMemoryAndTheHistorySurvivesTheLeadersDeath() throws Exception {
        try (TestingCluster cluster = TestingCluster.start(3, Duration.ofSeconds(10))) {
            cluster.startAgent("agent-1", "2", "2Gi");
            List<String> addresses = cluster.servers().stream().map(TestingCluster.Member::httpAddress).toList();
            try (HerdClient client = new HerdClient(addresses)) {
                client.submitJob(BUSY);
            }

            // herd top, as a user runs it: the instance with non-zero cpu and memory
            AtomicReference<String> shown = new AtomicReference<>("");
            cluster.awaitCondition("herd top ha/busy shows cpu and memory", Duration.ofSeconds(60), () -> {
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                int exitCode = Main.run(new String[] {"top", "ha/busy", "--address", String.join(",", addresses)},
                        new PrintWriter(out, true), new PrintWriter(err, true));
                shown.set(out + "" + err);
                Matcher row = Pattern.compile("busy\\.main\\[0]\\s+agent-1\\s+(\\d+)m\\s+\\d+m\\s+\\d+m\\s+([0-9.]+)Mi\\s")
                        .matcher(out.toString());
                return exitCode == 0 && row.find() && Integer.parseInt(row.group(1)) > 0
                        && Double.parseDouble(row.group(2)) >= 40;
            });
            System.out.println(shown.get());

            // the history up to now, as the leader serves it: every sample it applied is committed, so on a majority
            TestingCluster.Member leader = cluster.awaitLeader(Duration.ofSeconds(10));
            List<UsageResponse.Point> before;
            try (HerdClient direct = new HerdClient(List.of(leader.httpAddress()))) {
                before = samples(direct);
            }
            assertThat(before).isNotEmpty();
            Instant killed = Instant.now();
            cluster.kill(leader);
            cluster.awaitLeader(Duration.ofSeconds(60));

            for (TestingCluster.Member server : cluster.servers()) {
                if (server == leader) {
                    continue;
                }
                try (HerdClient direct = new HerdClient(List.of(server.httpAddress()))) {
                    // every point from before the leader died, on both survivors, and new points after it
                    cluster.awaitCondition("usage history on " + server.name(), Duration.ofSeconds(40), () -> {
                        try {
                            List<UsageResponse.Point> after = samples(direct);
                            return after.containsAll(before) && !after.isEmpty()
                                    && after.getLast().time().isAfter(killed);
                        } catch (RuntimeException e) {
                            return false;
                        }
                    });
                }
            }
        }
    }

    /** Every sample of ha/busy's instance in the last 10 minutes: 1 s steps, so each point is one sample. */
    private static List<UsageResponse.Point> samples(HerdClient client) {
        UsageResponse usage = client.usage(new HerdClient.UsageQuery("task", null, "ha/busy", null, null, "10m",
                null, "1s", "last", "instance"));
        return usage.series().isEmpty() ? List.of() : usage.series().getFirst().points();
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

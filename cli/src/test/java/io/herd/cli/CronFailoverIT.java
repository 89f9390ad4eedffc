package io.herd.cli;

import io.herd.api.wire.CronStatus;
import io.herd.api.wire.RunStatus;
import io.herd.client.HerdClient;
import io.herd.testkit.TestingCluster;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three servers and a cron job firing every two seconds: the leader dies, and the new leader goes on from the
 * last firing recorded through Raft. No scheduled time fires twice, and the firing that came due while there was
 * no leader still starts (it is within its starting_deadline) rather than being lost.
 */
class CronFailoverIT {
    private static final String SPEC = """
            job: tick
            app: ha
            type: cron
            cron: {schedule: "*/2 * * * * *", starting_deadline: 30s}
            groups:
              - name: main
                count: 1
                tasks:
                  - name: main
                    driver: exec
                    config: {command: /bin/true}
            """;

    @Test
    void aLeaderFailoverNeitherRepeatsNorLosesAFiring() {
        try (TestingCluster cluster = TestingCluster.start(3, Duration.ofSeconds(10))) {
            TestingCluster.Member firstLeader = cluster.awaitLeader(Duration.ofSeconds(60));
            List<String> addresses = cluster.servers().stream().map(TestingCluster.Member::httpAddress).toList();
            try (HerdClient client = new HerdClient(addresses)) {
                client.submitJob(SPEC);
                cluster.awaitCondition("two firings", Duration.ofSeconds(20),
                        () -> runs(client).size() >= 2);

                cluster.kill(firstLeader);
                Instant killedAt = Instant.now();
                TestingCluster.Member newLeader = cluster.awaitLeader(Duration.ofSeconds(60));
                assertThat(newLeader).isNotSameAs(firstLeader);
                cluster.awaitCondition("firings by the new leader", Duration.ofSeconds(30),
                        () -> runs(client).stream().filter(run -> run.scheduledTime().isAfter(killedAt.plusSeconds(2)))
                                .count() >= 2);

                List<RunStatus> runs = runs(client);
                List<Instant> scheduled = runs.stream().map(RunStatus::scheduledTime).toList();
                assertThat(scheduled).as("each scheduled time once").doesNotHaveDuplicates();
                assertThat(runs).as("every firing started a run, none was missed").allSatisfy(run -> {
                    assertThat(run.state()).isNotIn("missed", "skipped");
                    assertThat(run.run()).startsWith("ha/tick@");
                    assertThat(run.scheduledTime().getEpochSecond() % 2).isZero();
                });
                // The gap the failover left is closed by one firing: the newest time due when the new leader
                // took over, no burst of the ones before it.
                Instant lastBefore = scheduled.stream().filter(time -> time.isBefore(killedAt)).max(Instant::compareTo)
                        .orElseThrow();
                Instant firstAfter = scheduled.stream().filter(time -> time.isAfter(lastBefore))
                        .min(Instant::compareTo).orElseThrow();
                System.out.printf("last firing before the leader died %s, first after %s (%d runs)%n", lastBefore,
                        firstAfter, runs.size());
                assertThat(client.jobStatus("ha/tick").cron().runs()).hasSameSizeAs(runs);
            }
        }
    }

    private static List<RunStatus> runs(HerdClient client) {
        try {
            CronStatus status = client.cronRuns("ha/tick");
            return status.runs();
        } catch (RuntimeException e) {
            return List.of();
        }
    }
}

package io.herd.cli;

import io.herd.api.BatchProgress;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.Json;
import io.herd.api.wire.CronStatus;
import io.herd.api.wire.RunStatus;
import io.herd.client.HerdClient;
import io.herd.testkit.TestingCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Cron jobs, batch limits and depends_on end to end: a real server and agent, real processes, the real leader's
 * cron dispatcher on the real clock (a seconds schedule keeps it short), all driven through the CLI.
 */
class LifecycleIT {
    private static final String TASK = """
                tasks:
                  - name: main
                    driver: exec
                    config: {command: /bin/sh, args: ["-c", "%s"]}
                    resources: {cpu: 50m, memory: 16Mi}
                    kill_timeout: 1s
            """;

    private static TestingCluster cluster;
    private static HerdClient client;


    @BeforeAll
    static void startCluster() {
        cluster = TestingCluster.start(1, Duration.ofSeconds(10));
        cluster.startAgent("agent-1", "4", "2Gi", "rack=r1");
        client = cluster.client();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aCronJobWithASecondsScheduleFiresOnScheduleAndListsItsRuns(@TempDir Path directory) throws Exception {
        Path spec = Files.writeString(directory.resolve("tick.yaml"), """
                job: tick
                app: demo
                type: cron
                cron: {schedule: "*/2 * * * * *", concurrency: forbid}
                groups:
                  - name: work
                    count: 1
                """ + TASK.formatted("echo tick; sleep 0.3"));

        CliResult up = run("up", spec.toString());
        assertThat(up.exitCode()).as(up.out() + up.err()).isZero();
        assertThat(up.out()).startsWith("Submitted job demo/tick version 1\nSchedule */2 * * * * * (UTC); next runs:\n")
                .containsPattern("  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d[02468] UTC\n")
                .endsWith("See its runs with 'herd runs demo/tick'.\n");

        await().atMost(Duration.ofSeconds(30)).until(() -> client.cronRuns("demo/tick").runs().stream()
                .filter(run -> run.state().equals("complete")).count() >= 3);

        CliResult json = run("runs", "tick", "-o", "json");
        assertThat(json.exitCode()).as(json.err()).isZero();
        CronStatus cron = Json.mapper().readValue(json.out(), CronStatus.class);
        List<RunStatus> complete = cron.runs().stream().filter(run -> run.state().equals("complete")).toList();
        assertThat(complete).allSatisfy(run -> {
            assertThat(run.scheduledTime().getEpochSecond() % 2).as("on the schedule").isZero();
            assertThat(run.run()).startsWith("demo/tick@");
            assertThat(run.attempts()).isEqualTo(1);
            assertThat(run.duration()).isPositive();
            // Fired on time: the run started within a few seconds of its scheduled time.
            assertThat(Duration.between(run.scheduledTime(), run.startTime())).isLessThan(Duration.ofSeconds(3));
        });
        List<Instant> scheduled = cron.runs().stream().map(RunStatus::scheduledTime).toList();
        assertThat(scheduled).as("newest first, each firing once").isSortedAccordingTo(Comparator.reverseOrder())
                .doesNotHaveDuplicates();
        assertThat(cron.nextRuns()).hasSize(3);

        CliResult table = run("runs", "demo/tick");
        assertThat(table.out()).startsWith("SCHEDULED").containsPattern("UTC +complete +\\S+ +1 +demo/tick@")
                .contains("Schedule */2 * * * * * (UTC); next runs: ");
        CliResult status = run("status", "demo/tick");
        assertThat(status.out()).contains("Schedule:", "Next runs:", "Runs (newest first):");
        String firstRun = complete.getFirst().run();
        CliResult runStatus = run("status", firstRun);
        assertThat(runStatus.out()).contains("Outcome:", "complete 1/1");

        CliResult down = run("down", "tick", "--purge");
        assertThat(down.exitCode()).as(down.err()).isZero();
        assertThat(client.listJobs()).noneMatch(job -> job.id().startsWith("demo/tick"));
    }

    @Test
    void dependentJobsStartOnlyOnceTheirDependenciesAreHealthyOrComplete(@TempDir Path directory) throws Exception {
        Path database = Files.writeString(directory.resolve("db.yaml"), """
                job: db
                app: order
                groups:
                  - name: main
                    count: 1
                """ + TASK.formatted("sleep 100000"));
        Path migrate = Files.writeString(directory.resolve("migrate.yaml"), """
                job: migrate
                app: order
                type: batch
                depends_on: [{job: order/db, condition: healthy}]
                groups:
                  - name: main
                    count: 1
                """ + TASK.formatted("sleep 1; echo migrated"));
        Path web = Files.writeString(directory.resolve("web.yaml"), """
                job: web
                app: order
                depends_on: [{job: migrate, condition: complete}]
                groups:
                  - name: main
                    count: 1
                """ + TASK.formatted("sleep 100000"));

        // Submitted in the wrong order on purpose: each waits for the one before.
        assertThat(run("up", web.toString(), "--detach").exitCode()).isZero();
        assertThat(run("up", migrate.toString(), "--detach").exitCode()).isZero();
        CliResult waiting = run("status", "order/web");
        assertThat(waiting.out()).contains("Waiting:", "waiting for order/migrate to be complete");
        CliResult migrateWaiting = run("status", "order/migrate", "-o", "json");
        assertThat(migrateWaiting.out()).contains("\"waiting_for\" : [ \"order/db to be healthy (it does not exist yet)\" ]");
        CliResult cycle = run("up", Files.writeString(directory.resolve("cycle.yaml"), """
                job: db
                app: order
                depends_on: [{job: order/web}]
                groups:
                  - name: main
                    count: 1
                """ + TASK.formatted("sleep 100000")).toString());
        assertThat(cycle.exitCode()).isEqualTo(2);
        assertThat(cycle.err()).contains("would make a cycle: order/db -> order/web -> order/migrate -> order/db");
        assertThat(client.jobStatus("order/web").instances()).isEmpty();
        assertThat(client.jobStatus("order/migrate").instances()).isEmpty();

        CliResult up = run("up", database.toString());
        assertThat(up.exitCode()).as(up.out() + up.err()).isZero();

        await().atMost(Duration.ofSeconds(40)).until(() -> client.jobStatus("order/web").instances().stream()
                .anyMatch(instance -> instance.state() == InstanceState.RUNNING));
        Instance db = only("order/db");
        Instance migration = only("order/migrate");
        Instance server = only("order/web");
        assertThat(migration.state()).isEqualTo(InstanceState.COMPLETE);
        assertThat(migration.createTime()).as("migrate placed after db was running")
                .isAfterOrEqualTo(db.readySince());
        assertThat(server.createTime()).as("web placed after migrate completed")
                .isAfterOrEqualTo(migration.modifyTime());
        assertThat(client.jobStatus("order/migrate").batch().state()).isEqualTo(BatchProgress.State.COMPLETE);
        assertThat(client.jobStatus("order/web").waitingFor()).isEmpty();
        for (String job : List.of("web", "migrate", "db")) {
            assertThat(run("down", "order/" + job, "--purge").exitCode()).isZero();
        }
    }

    @Test
    void aBatchJobThatKeepsFailingStopsAtMaxAttemptsAndSaysWhy(@TempDir Path directory) throws Exception {
        Path spec = Files.writeString(directory.resolve("flaky.yaml"), """
                job: flaky
                app: demo
                type: batch
                batch: {max_attempts: 2}
                groups:
                  - name: main
                    count: 1
                    restart: {attempts: 0}
                """ + TASK.formatted("exit 3"));

        assertThat(run("up", spec.toString(), "--detach").exitCode()).isZero();

        await().atMost(Duration.ofSeconds(40)).until(() -> client.jobStatus("demo/flaky").batch().state()
                == BatchProgress.State.FAILED);
        CliResult status = run("status", "demo/flaky");
        assertThat(status.out()).containsPattern("Outcome: +failed: main\\[0\\] failed 2 of max_attempts 2");
        // No third attempt: the job failed for good.
        assertThat(client.jobStatus("demo/flaky").instances()).hasSize(2);
        assertThat(run("down", "demo/flaky", "--purge").exitCode()).isZero();
    }

    private static Instance only(String jobId) {
        List<Instance> instances = client.jobStatus(jobId).instances();
        assertThat(instances).as(jobId).hasSize(1);
        return instances.getFirst();
    }

    private static CliResult run(String... args) {
        return CliResult.run(cluster.servers().getFirst().httpAddress(), args);
    }
}

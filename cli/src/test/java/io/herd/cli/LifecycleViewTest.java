package io.herd.cli;

import io.herd.api.BatchProgress;
import io.herd.api.CronPolicy;
import io.herd.api.Job;
import io.herd.api.JobType;
import io.herd.api.wire.CronStatus;
import io.herd.api.wire.JobStatus;
import io.herd.api.wire.RunStatus;
import io.herd.testkit.Jobs;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code herd status} and {@code herd runs} show of batch outcomes, dependencies and cron runs. */
class LifecycleViewTest {
    private static final Instant NOW = Instant.parse("2026-01-02T03:00:30Z");

    private static final CronStatus REPORT = new CronStatus("demo/report", "0 3 * * *", "Europe/Berlin",
            List.of(Instant.parse("2026-01-03T02:00:00Z")),
            List.of(new RunStatus(Instant.parse("2026-01-02T02:00:00Z"), "complete", "demo/report@20260102-020000",
                            null, Instant.parse("2026-01-02T02:00:01Z"), Instant.parse("2026-01-02T02:00:05Z"),
                            Duration.ofSeconds(4), 1),
                    new RunStatus(Instant.parse("2026-01-01T02:00:00Z"), "skipped", null,
                            "run demo/report@20251231-020000 is still active (concurrency: forbid)", null, null, null,
                            0)));

    @Test
    void runsAreListedNewestFirstInTheJobsTimeZone() {
        List<String> lines = RunsCommand.table(REPORT, NOW).lines();

        assertThat(lines.getFirst()).startsWith("SCHEDULED").contains("STATE", "DURATION", "ATTEMPTS", "RUN", "REASON");
        assertThat(lines.get(1)).matches("2026-01-02 03:00:00 CET +complete +4\\.0s +1 +demo/report@20260102-020000 *");
        assertThat(lines.get(2)).matches("2026-01-01 03:00:00 CET +skipped +- +- +- +run demo/report@20251231-020000 "
                + "is still active \\(concurrency: forbid\\)");
        assertThat(RunsCommand.formatTime(Instant.parse("2026-07-01T01:00:00Z"), ZoneId.of("Europe/Berlin")))
                .isEqualTo("2026-07-01 03:00:00 CEST");
    }

    @Test
    void statusOfACronJobShowsItsScheduleNextRunsAndRuns() {
        Job cron = Jobs.job("report").cron(new CronPolicy("0 3 * * *", "Europe/Berlin", null, null, null)).build();

        List<String> lines = JobStatusView.of(new JobStatus(cron, List.of(), List.of(), null, 0, null, List.of(),
                REPORT)).lines(NOW);

        assertThat(lines).anyMatch(line -> line.matches("Schedule: +0 3 \\* \\* \\* \\(Europe/Berlin\\)"))
                .anyMatch(line -> line.matches("Next runs: +2026-01-03 03:00:00 CET"))
                .contains("Runs (newest first):")
                .anyMatch(line -> line.startsWith("  2026-01-02 03:00:00 CET") && line.contains("complete"));
    }

    @Test
    void statusOfABatchJobShowsItsOutcomeAndWhatItWaitsFor() {
        Job batch = Jobs.job("migrate").type(JobType.BATCH).build();
        BatchProgress failed = new BatchProgress(BatchProgress.State.FAILED, 1, 0, 0, 3, 3,
                "web[0] failed 3 of max_attempts 3: exit code 1", NOW, NOW);

        List<String> lines = JobStatusView.of(new JobStatus(batch, List.of(), List.of(), null, 0, failed,
                List.of("order/db to be healthy (0/1 ready)"), null)).lines(NOW);

        assertThat(lines).anyMatch(line -> line.matches(
                        "Outcome: +failed: web\\[0\\] failed 3 of max_attempts 3: exit code 1 \\(3 attempts\\)"))
                .anyMatch(line -> line.matches("Waiting: +waiting for order/db to be healthy \\(0/1 ready\\)"));
    }
}

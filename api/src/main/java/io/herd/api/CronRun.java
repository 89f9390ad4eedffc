package io.herd.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * One firing of a cron job, as the replicated state records it: the time it was scheduled for and what came of
 * it. A started firing names its run, a batch job {@code <job>@<yyyyMMdd-HHmmss>} (the scheduled time in UTC).
 *
 * @param jobId the cron job ({@code app/job})
 * @param runJobId the run's job id; null unless {@code outcome} is started
 * @param reason why a firing was skipped or missed; null for a started one
 * @param createTime when the leader fired it
 */
public record CronRun(String jobId, Instant scheduledTime, Outcome outcome, String runJobId, String reason,
        Instant createTime) {
    private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    public CronRun {
        requireNonNull(jobId, "jobId is null");
        requireNonNull(scheduledTime, "scheduledTime is null");
        requireNonNull(outcome, "outcome is null");
    }

    /** The name of the run a cron job starts for a scheduled time: {@code nightly@20260102-030000}. */
    public static String runName(String cronJobName, Instant scheduledTime) {
        return cronJobName + "@" + SUFFIX.format(scheduledTime);
    }

    public enum Outcome {
        /** A run was started. */
        STARTED,
        /** {@code concurrency: forbid} and an earlier run was still active. */
        SKIPPED,
        /** Fired too late (no leader in time) and the catch-up policy let it go. */
        MISSED;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Outcome fromWireName(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }
}

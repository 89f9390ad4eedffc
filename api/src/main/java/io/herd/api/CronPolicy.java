package io.herd.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonValue;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * When a {@code cron} job runs and what happens when runs overlap or were missed. Each firing creates a run: a
 * batch job named {@code <job>@<time>} with the cron job's groups.
 *
 * @param schedule a {@link CronExpression} (5 fields, or 6 with seconds first)
 * @param timeZone the zone the schedule is read in (an IANA name such as {@code Europe/Berlin})
 * @param concurrency what a firing does while an earlier run is still active
 * @param catchUp what a new leader does with firings missed while no leader was up
 * @param startingDeadline how late a firing may still start; a firing later than this is missed
 */
public record CronPolicy(String schedule, String timeZone, Concurrency concurrency, CatchUp catchUp,
        Duration startingDeadline) {
    public static final String DEFAULT_TIME_ZONE = "UTC";
    public static final Duration DEFAULT_STARTING_DEADLINE = Duration.ofMinutes(1);

    public CronPolicy {
        requireNonNull(schedule, "schedule is null");
        timeZone = timeZone == null ? DEFAULT_TIME_ZONE : timeZone;
        concurrency = concurrency == null ? Concurrency.ALLOW : concurrency;
        catchUp = catchUp == null ? CatchUp.NONE : catchUp;
        startingDeadline = startingDeadline == null ? DEFAULT_STARTING_DEADLINE : startingDeadline;
    }

    @JsonIgnore
    public CronExpression expression() {
        return CronExpression.parse(schedule);
    }

    @JsonIgnore
    public ZoneId zone() {
        return ZoneId.of(timeZone);
    }

    /** What a firing does while an earlier run of the same cron job is still active (as Kubernetes' CronJob). */
    public enum Concurrency {
        /** Start the new run beside the active ones. */
        ALLOW,
        /** Skip the new run (a {@code RunSkipped} event). */
        FORBID,
        /** Stop the active runs, then start the new one. */
        REPLACE;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Concurrency fromWireName(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    /**
     * Firings missed while no leader was up (or while the cluster was down). Only firings after the job was
     * registered count; a new job never runs for times before it existed.
     */
    public enum CatchUp {
        /** Missed firings are skipped, except one that is at most {@code starting_deadline} late. */
        NONE,
        /** The newest missed firing runs once, however late; older missed ones are skipped. */
        LAST;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static CatchUp fromWireName(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }
}

package io.herd.api.wire;

import java.time.Instant;
import java.util.List;

/**
 * Answer to {@code GET /v1/jobs/{app}/{job}/runs}: a cron job's schedule, its next firings and its kept firings,
 * newest first.
 */
public record CronStatus(String job, String schedule, String timeZone, List<Instant> nextRuns, List<RunStatus> runs) {
    public CronStatus {
        nextRuns = nextRuns == null ? List.of() : List.copyOf(nextRuns);
        runs = runs == null ? List.of() : List.copyOf(runs);
    }
}

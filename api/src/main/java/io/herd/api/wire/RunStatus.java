package io.herd.api.wire;

import java.time.Duration;
import java.time.Instant;

/**
 * One firing of a cron job as {@code herd runs} shows it.
 *
 * @param scheduledTime the time the schedule named
 * @param state {@code pending}, {@code running}, {@code complete} or {@code failed} for a started run (its batch
 *     progress), {@code stopped} for a run stopped before it finished (e.g. {@code concurrency: replace}),
 *     {@code skipped} ({@code concurrency: forbid}) or {@code missed} (too late, by the catch-up policy)
 * @param run the run's job id ({@code app/job@20260102-030000}); null when none was started
 * @param reason why it failed, was skipped or missed; null otherwise
 * @param startTime when its first instance was placed
 * @param finishTime when it completed or failed
 * @param duration from start to finish, or to now while it runs
 * @param attempts instances started for it, replacements after failures included
 */
public record RunStatus(Instant scheduledTime, String state, String run, String reason, Instant startTime,
        Instant finishTime, Duration duration, int attempts) {}

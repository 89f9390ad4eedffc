package io.herd.api.wire;

import io.herd.api.BatchProgress;
import io.herd.api.JobType;

/**
 * One line of {@code GET /v1/jobs}. {@code outcome} is a batch job's (or cron run's) state: pending, running,
 * complete or failed; null for services and cron jobs.
 */
public record JobSummary(
        String id, String app, String name, JobType type, int priority, long version, boolean stopped,
        int desired, int running, int pending, int failed, BatchProgress.State outcome) {
    /** A summary without a batch outcome (as written before it existed). */
    public JobSummary(String id, String app, String name, JobType type, int priority, long version, boolean stopped,
            int desired, int running, int pending, int failed) {
        this(id, app, name, type, priority, version, stopped, desired, running, pending, failed, null);
    }
}

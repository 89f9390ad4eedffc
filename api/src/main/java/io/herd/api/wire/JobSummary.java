package io.herd.api.wire;

import io.herd.api.JobType;

/** One line of {@code GET /v1/jobs}. */
public record JobSummary(
        String id, String app, String name, JobType type, int priority, long version, boolean stopped,
        int desired, int running, int pending, int failed) {}

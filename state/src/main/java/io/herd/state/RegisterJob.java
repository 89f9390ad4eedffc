package io.herd.state;

import io.herd.api.Job;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * Submit a job spec. The job gets the next version unless it is unchanged; {@code evaluationId} names the
 * evaluation that apply creates for it.
 */
public record RegisterJob(Job job, String evaluationId, Instant time) implements Command {
    public RegisterJob {
        requireNonNull(job, "job is null");
        requireNonNull(evaluationId, "evaluationId is null");
        requireNonNull(time, "time is null");
    }
}

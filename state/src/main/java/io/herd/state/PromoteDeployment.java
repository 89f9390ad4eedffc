package io.herd.state;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * Promote the canaries of a job's active deployment ({@code herd promote}): its groups continue the rolling update.
 * {@code evaluationId} names the evaluation that apply creates so that the scheduler moves on.
 */
public record PromoteDeployment(String jobId, String deploymentId, String evaluationId, Instant time)
        implements Command {
    public PromoteDeployment {
        requireNonNull(jobId, "jobId is null");
        requireNonNull(deploymentId, "deploymentId is null");
        requireNonNull(evaluationId, "evaluationId is null");
        requireNonNull(time, "time is null");
    }
}

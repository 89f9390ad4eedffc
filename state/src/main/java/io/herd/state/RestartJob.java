package io.herd.state;

import java.time.Instant;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Replace the instances of a job's current version under its update policies, without a spec change
 * ({@code herd restart}): apply starts a deployment {@code deploymentId} whose restart time is the command's time,
 * so that every instance of {@code groups} (empty: all) created before it counts as out of date.
 */
public record RestartJob(String jobId, List<String> groups, String deploymentId, String evaluationId, Instant time)
        implements Command {
    public RestartJob {
        requireNonNull(jobId, "jobId is null");
        groups = groups == null ? List.of() : List.copyOf(groups);
        requireNonNull(deploymentId, "deploymentId is null");
        requireNonNull(evaluationId, "evaluationId is null");
        requireNonNull(time, "time is null");
    }
}

package io.herd.state;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/** Stop a job ({@code herd down}); with {@code purge} also forget it and its history. */
public record DeregisterJob(String jobId, boolean purge, String evaluationId, Instant time) implements Command {
    public DeregisterJob {
        requireNonNull(jobId, "jobId is null");
        requireNonNull(evaluationId, "evaluationId is null");
        requireNonNull(time, "time is null");
    }
}

package io.herd.api;

import java.time.Instant;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * A request to reconcile one job with reality. A pending evaluation with {@code waitUntil} in the future is not
 * processed before then (a delayed reschedule).
 */
public record Evaluation(
        String id,
        String jobId,
        EvaluationTrigger trigger,
        EvaluationStatus status,
        String statusDescription,
        List<PlacementFailure> failures,
        Instant createTime,
        Instant modifyTime,
        Instant waitUntil) {
    public Evaluation(String id, String jobId, EvaluationTrigger trigger, EvaluationStatus status,
            String statusDescription, List<PlacementFailure> failures, Instant createTime, Instant modifyTime) {
        this(id, jobId, trigger, status, statusDescription, failures, createTime, modifyTime, null);
    }

    public Evaluation {
        requireNonNull(id, "id is null");
        requireNonNull(jobId, "jobId is null");
        requireNonNull(trigger, "trigger is null");
        status = status == null ? EvaluationStatus.PENDING : status;
        failures = failures == null ? List.of() : List.copyOf(failures);
    }

    public static Evaluation pending(String id, String jobId, EvaluationTrigger trigger, Instant time) {
        return new Evaluation(id, jobId, trigger, EvaluationStatus.PENDING, null, List.of(), time, time);
    }

    /** Whether a worker may take it at {@code now}. */
    public boolean isDue(Instant now) {
        return waitUntil == null || !waitUntil.isAfter(now);
    }

    public Evaluation withStatus(EvaluationStatus newStatus, String description, List<PlacementFailure> newFailures,
            Instant time) {
        return new Evaluation(id, jobId, trigger, newStatus, description, newFailures, createTime, time, waitUntil);
    }
}

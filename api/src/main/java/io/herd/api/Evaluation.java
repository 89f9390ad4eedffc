package io.herd.api;

import java.time.Instant;
import java.util.List;

import static java.util.Objects.requireNonNull;

/** A request to reconcile one job with reality. */
public record Evaluation(
        String id,
        String jobId,
        EvaluationTrigger trigger,
        EvaluationStatus status,
        String statusDescription,
        List<PlacementFailure> failures,
        Instant createTime,
        Instant modifyTime) {
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

    public Evaluation withStatus(EvaluationStatus newStatus, String description, List<PlacementFailure> newFailures,
            Instant time) {
        return new Evaluation(id, jobId, trigger, newStatus, description, newFailures, createTime, time);
    }
}

package io.herd.api;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The scheduler's answer to an evaluation. {@code placements} are new instances (state pending, node and ports
 * chosen); {@code stops} ask running instances to stop; {@code failures} say what could not be placed and why.
 * The plan applier re-checks placements against the newest state and may commit only part of a plan.
 * {@code nextEvaluationAt}, when set, is when a delayed replacement falls due (a failing instance is placed again
 * only after a growing delay, or a rolling update waits for new instances to stay healthy); committing the plan
 * then queues an evaluation that waits until that time.
 * {@code preemptions} evict lower-priority instances to make room for this plan's placements on the same nodes
 * (their reason names the preemptor, e.g. {@code Preempted by app/job.web[0]}); the plan applier re-checks them
 * and commits a node's preemptions and placements together or not at all. {@code deployment}, when set, is the
 * job's deployment as this plan leaves it (created or advanced); the state stores it as it is.
 */
public record Plan(
        String evaluationId,
        String jobId,
        long jobVersion,
        List<Instance> placements,
        List<InstanceStop> stops,
        List<PlacementFailure> failures,
        java.time.Instant nextEvaluationAt,
        List<InstanceStop> preemptions,
        Deployment deployment) {
    public Plan(String evaluationId, String jobId, long jobVersion, List<Instance> placements, List<InstanceStop> stops,
            List<PlacementFailure> failures) {
        this(evaluationId, jobId, jobVersion, placements, stops, failures, null, List.of(), null);
    }

    public Plan(String evaluationId, String jobId, long jobVersion, List<Instance> placements, List<InstanceStop> stops,
            List<PlacementFailure> failures, java.time.Instant nextEvaluationAt) {
        this(evaluationId, jobId, jobVersion, placements, stops, failures, nextEvaluationAt, List.of(), null);
    }

    public Plan {
        requireNonNull(evaluationId, "evaluationId is null");
        requireNonNull(jobId, "jobId is null");
        placements = placements == null ? List.of() : List.copyOf(placements);
        stops = stops == null ? List.of() : List.copyOf(stops);
        failures = failures == null ? List.of() : List.copyOf(failures);
        preemptions = preemptions == null ? List.of() : List.copyOf(preemptions);
    }

    /** The same plan with other placements (the part the plan applier accepts); everything else carries over. */
    public Plan withPlacements(List<Instance> newPlacements) {
        return new Plan(evaluationId, jobId, jobVersion, newPlacements, stops, failures, nextEvaluationAt, preemptions,
                deployment);
    }

    /** The same plan with other placements and preemptions (the part the plan applier accepts). */
    public Plan withPlacementsAndPreemptions(List<Instance> newPlacements, List<InstanceStop> newPreemptions) {
        return new Plan(evaluationId, jobId, jobVersion, newPlacements, stops, failures, nextEvaluationAt,
                newPreemptions, deployment);
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isEmpty() {
        return placements.isEmpty() && stops.isEmpty() && preemptions.isEmpty();
    }
}

package io.herd.scheduler;

import io.herd.api.Evaluation;
import io.herd.api.Instance;
import io.herd.api.InstanceStop;
import io.herd.api.Job;
import io.herd.api.PlacementFailure;
import io.herd.api.Plan;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

import static java.util.Objects.requireNonNull;

/**
 * Turns an evaluation into a plan: a pure function of the job, a snapshot of the cluster, the time and a source
 * of randomness. It reads nothing else and changes nothing: the server submits the plan, and its plan applier
 * re-checks every placement against the newest state ({@link NodeFit}) before committing it.
 *
 * <p>Two steps: the {@link Reconciler} decides which instances to stop and which indices to place; the
 * {@link Placer} picks a node for each placement. An instance that fits nowhere may preempt instances of lower
 * priority bands on one node ({@link Plan#preemptions()}); what still fits nowhere is reported in
 * {@link Plan#failures()} with the reasons, counted per node.
 *
 * <p>Thread-safe: it holds only its configuration, so one instance may serve several workers.
 */
public final class Scheduler {
    private final SchedulerConfig config;

    public Scheduler(SchedulerConfig config) {
        this.config = requireNonNull(config, "config is null");
    }

    /**
     * Whether an instance of group {@code old} may keep running as group {@code next}: they differ at most in
     * count and update policy, which need no restart. Otherwise a rolling update replaces it.
     */
    public static boolean needsNoRestart(io.herd.api.Group old, io.herd.api.Group next) {
        return Reconciler.inPlace(old, next);
    }

    public SchedulerConfig config() {
        return config;
    }

    /**
     * @param job the current version of the evaluated job, or null when it was purged
     * @param random draws instance ids and host ports: the same seed and inputs give the same plan
     */
    public Plan process(Evaluation evaluation, Job job, ClusterView view, Instant now, RandomGenerator random) {
        requireNonNull(evaluation, "evaluation is null");
        requireNonNull(view, "view is null");
        requireNonNull(now, "now is null");
        requireNonNull(random, "random is null");
        String jobId = evaluation.jobId();
        List<Instance> instances = view.instancesOfJob(jobId);
        // Derived from the evaluation rather than drawn from random: drawing would shift every instance id and port
        // that follows, so plans of jobs without deployments would change with this feature.
        Reconciliation reconciliation = Reconciler.reconcile(view, jobId, job, instances, now,
                () -> java.util.UUID.nameUUIDFromBytes(("deployment:" + evaluation.id())
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString());
        long version = job == null ? 0 : job.version();
        if (reconciliation.placements().isEmpty()) {
            return new Plan(evaluation.id(), jobId, version, List.of(), reconciliation.stops(), List.of(),
                    earliest(reconciliation.nextEvaluationAt(), reconciliation.deploymentCheckAt()), List.of(),
                    reconciliation.deployment());
        }

        Set<String> stoppedIds = new HashSet<>();
        for (InstanceStop stop : reconciliation.stops()) {
            stoppedIds.add(stop.instanceId());
        }
        Map<String, List<PlacementRequest>> requestsByGroup = new LinkedHashMap<>();
        for (PlacementRequest request : reconciliation.placements()) {
            requestsByGroup.computeIfAbsent(request.group().name(), name -> new ArrayList<>()).add(request);
        }
        Placer placer = new Placer(config, view, job, instances, stoppedIds, random, now);
        List<Instance> placements = new ArrayList<>();
        List<PlacementFailure> failures = new ArrayList<>();
        requestsByGroup.forEach((groupName, requests) -> {
            Placer.GroupOutcome outcome = placer.place(requests.getFirst().group(), requests);
            placements.addAll(outcome.placements());
            outcome.failure().ifPresent(failures::add);
        });
        // A blocked plan is evaluated again when capacity changes; until then the deployment cannot move, and a
        // timer of its own would only push the evaluation that says why it is blocked out of sight.
        Instant next = failures.isEmpty()
                ? earliest(reconciliation.nextEvaluationAt(), reconciliation.deploymentCheckAt())
                : reconciliation.nextEvaluationAt();
        return new Plan(evaluation.id(), jobId, version, placements, reconciliation.stops(), failures, next,
                placer.preemptions(), reconciliation.deployment());
    }

    private static Instant earliest(Instant first, Instant second) {
        if (first == null) {
            return second;
        }
        return second == null || first.isBefore(second) ? first : second;
    }
}

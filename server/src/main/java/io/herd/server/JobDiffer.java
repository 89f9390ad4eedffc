package io.herd.server;

import io.herd.api.Evaluation;
import io.herd.api.EvaluationTrigger;
import io.herd.api.Group;
import io.herd.api.Instance;
import io.herd.api.InstanceStop;
import io.herd.api.Job;
import io.herd.api.Plan;
import io.herd.api.wire.JobDiff;
import io.herd.api.wire.JobDiff.Action;
import io.herd.api.wire.JobDiff.FieldChange;
import io.herd.api.wire.JobDiff.InstanceChange;
import io.herd.api.wire.SpecDiff;
import io.herd.scheduler.Scheduler;
import io.herd.state.StateView;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.random.RandomGenerator;

/**
 * What submitting a spec would do, without doing it: the field changes against the current version, and a dry
 * run of the scheduler on the candidate as the next version. The dry run uses a throwaway evaluation that is
 * never stored, and its plan is only read, never proposed: a diff changes nothing in the state.
 *
 * <p>The plan is translated into one action per instance. A placement whose previous instance the same plan
 * stops is a replacement (the group's spec changed); a stop without such a placement is a stop, unless the
 * stopped instance's index stays in the group with no other instance for it, which is a replacement the
 * scheduler could not place (the plan's failures say why). Live instances the plan leaves alone run on.
 */
final class JobDiffer {
    private static final Comparator<InstanceChange> ORDER = Comparator.comparing(InstanceChange::group)
            .thenComparingInt(InstanceChange::index)
            .thenComparing(InstanceChange::action);

    private final Scheduler scheduler;

    JobDiffer(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** Must run under the state's read lock ({@code view} is live). */
    JobDiff diff(StateView view, Job candidate, Instant now, RandomGenerator random) {
        String jobId = candidate.id();
        Optional<Job> current = view.job(jobId);
        long currentVersion = current.map(Job::version).orElse(0L);
        boolean stopped = current.map(Job::stopped).orElse(false);
        boolean changed = current.isEmpty() || stopped || !current.get().sameSpecAs(candidate);
        List<FieldChange> changes = SpecDiff.between(current.orElse(null), candidate);
        List<Instance> live = view.instancesOfJob(jobId).stream().filter(Instance::isLive).toList();
        if (!changed) {
            // Submitting it creates no evaluation: nothing would happen to any instance.
            List<InstanceChange> unchanged = live.stream()
                    .map(instance -> existing(Action.UNCHANGED, instance, null, null))
                    .sorted(ORDER).toList();
            return new JobDiff(jobId, currentVersion, currentVersion, false, false, changes, unchanged, List.of());
        }
        long newestKept = view.jobVersions(jobId).stream().mapToLong(Job::version).max().orElse(0);
        long version = Math.max(currentVersion, newestKept) + 1;
        Job next = candidate.withVersion(version, now).withStopped(false);
        Evaluation evaluation = Evaluation.pending("dry-run-" + UUID.randomUUID(), jobId, EvaluationTrigger.JOB_REGISTER, now);
        Plan plan = scheduler.process(evaluation, next, new StateClusterView(view), now, random);
        return new JobDiff(jobId, currentVersion, version, stopped, true, changes, classify(view, next, live, plan),
                plan.failures(), preemptions(view, plan));
    }

    /** The other jobs' instances the plan would evict, with their priority and node. */
    private static List<JobDiff.Preemption> preemptions(StateView view, Plan plan) {
        List<JobDiff.Preemption> preemptions = new ArrayList<>();
        for (InstanceStop preemption : plan.preemptions()) {
            view.instance(preemption.instanceId()).ifPresent(victim -> preemptions.add(new JobDiff.Preemption(
                    victim.id(), victim.jobId(), victim.name(), nodeName(victim),
                    view.jobVersion(victim.jobId(), victim.jobVersion()).map(Job::priority).orElse(0),
                    preemption.reason())));
        }
        preemptions.sort(Comparator.comparing(JobDiff.Preemption::jobId).thenComparing(JobDiff.Preemption::name));
        return preemptions;
    }

    private static List<InstanceChange> classify(StateView view, Job next, List<Instance> live, Plan plan) {
        Map<String, Instance> liveById = new LinkedHashMap<>();
        live.forEach(instance -> liveById.put(instance.id(), instance));
        Map<String, String> stopReasons = new LinkedHashMap<>();
        for (InstanceStop stop : plan.stops()) {
            stopReasons.put(stop.instanceId(), stop.reason());
        }
        List<InstanceChange> changes = new ArrayList<>();
        Set<String> replaced = new HashSet<>();
        for (Instance placement : plan.placements()) {
            String previousId = placement.previousInstanceId();
            Instance previous = previousId == null ? null : liveById.get(previousId);
            if (previous != null && stopReasons.containsKey(previousId)) {
                replaced.add(previousId);
                changes.add(existing(Action.REPLACE, previous, placement.nodeName(), stopReasons.get(previousId)));
            } else {
                changes.add(new InstanceChange(Action.PLACE, placement.group(), placement.index(), placement.name(),
                        null, null, placement.nodeName(), null));
            }
        }
        // Indices that keep a live instance: those not stopped by the plan.
        Set<String> keptIndices = new HashSet<>();
        for (Instance instance : live) {
            if (!stopReasons.containsKey(instance.id())) {
                keptIndices.add(instance.group() + "[" + instance.index() + "]");
            }
        }
        stopReasons.forEach((instanceId, reason) -> {
            Instance instance = liveById.get(instanceId);
            if (instance == null || replaced.contains(instanceId)) {
                return;
            }
            boolean indexStays = next.group(instance.group()).map(group -> instance.index() < group.count()).orElse(false)
                    && !keptIndices.contains(instance.group() + "[" + instance.index() + "]");
            changes.add(indexStays
                    ? existing(Action.REPLACE, instance, null, reason + "; the replacement cannot be placed")
                    : existing(Action.STOP, instance, null, reason));
        });
        for (Instance instance : live) {
            if (!stopReasons.containsKey(instance.id())) {
                if (needsRestart(view, instance, next)) {
                    // Not in this first step of the rolling update, but in a later one.
                    changes.add(existing(Action.REPLACE, instance, null,
                            "replaced by version " + next.version() + " later in the rolling update"));
                    continue;
                }
                Action action = sameGroup(view, instance, next) ? Action.UNCHANGED : Action.IN_PLACE;
                changes.add(existing(action, instance, null, null));
            }
        }
        changes.sort(ORDER);
        return changes;
    }

    /**
     * Whether the instance's group reads the same in the version it runs and in the next one: then nothing about
     * it changes. Otherwise it is kept in place (the scheduler keeps instances whose group changed only in ways
     * that need no restart, such as the count).
     */
    private static boolean sameGroup(StateView view, Instance instance, Job next) {
        Optional<Group> running = view.jobVersion(instance.jobId(), instance.jobVersion())
                .flatMap(job -> job.group(instance.group()));
        return running.isPresent() && running.equals(next.group(instance.group()));
    }

    /** Whether a service's rolling update will replace the instance, in this step or a later one. */
    private static boolean needsRestart(StateView view, Instance instance, Job next) {
        Optional<Job> running = view.jobVersion(instance.jobId(), instance.jobVersion());
        Optional<Group> nextGroup = next.group(instance.group());
        if (running.isEmpty() || nextGroup.isEmpty() || next.type() != io.herd.api.JobType.SERVICE) {
            return false;
        }
        Optional<Group> runningGroup = running.get().group(instance.group());
        return runningGroup.isEmpty() || !running.get().constraints().equals(next.constraints())
                || !io.herd.scheduler.Scheduler.needsNoRestart(runningGroup.get(), nextGroup.get());
    }

    private static InstanceChange existing(Action action, Instance instance, String targetNode, String reason) {
        return new InstanceChange(action, instance.group(), instance.index(), instance.name(), instance.id(),
                nodeName(instance), targetNode, reason);
    }

    private static String nodeName(Instance instance) {
        return instance.nodeName() == null || instance.nodeName().isBlank() ? instance.nodeId() : instance.nodeName();
    }
}

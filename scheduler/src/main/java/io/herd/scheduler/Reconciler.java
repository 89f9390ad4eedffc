package io.herd.scheduler;

import io.herd.api.DesiredStatus;
import io.herd.api.Group;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStop;
import io.herd.api.Job;
import io.herd.api.JobType;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Compares a job with its instances and returns what has to change: which instances to stop and which indices
 * to place. It chooses no node and performs nothing (the {@link Placer} and the plan applier do).
 *
 * <p>Indices are the identity of an instance within its group: {@code 0..count-1} each have exactly one live
 * instance when the job is reconciled, and a replacement takes the index of the instance it replaces.
 */
final class Reconciler {
    static final String JOB_STOPPED = "job stopped";
    static final String GROUP_REMOVED = "group removed";
    static final String SCALED_DOWN = "scaled down";
    static final Duration RESCHEDULE_DELAY = Duration.ofSeconds(5);
    static final Duration MAX_RESCHEDULE_DELAY = Duration.ofMinutes(5);

    /** Of several live instances with one index, the one to keep: running first, then the newest. */
    private static final Comparator<Instance> KEEP_FIRST = Comparator
            .comparing((Instance instance) -> instance.state() != InstanceState.RUNNING)
            .thenComparing(Reconciler::createTime, Comparator.reverseOrder())
            .thenComparing(Instance::id);

    /** Newest first; the id breaks ties so that the answer never depends on the order of the view. */
    private static final Comparator<Instance> NEWEST_FIRST = Comparator
            .comparing(Reconciler::createTime, Comparator.reverseOrder())
            .thenComparing(Instance::id);

    private final ClusterView view;
    private final String jobId;
    private final Job job;
    /** Per older job version, whether its group spec still matches; asked once per version and group. */
    private final Map<Long, Map<String, Boolean>> equivalentByVersion = new HashMap<>();

    private final Instant now;
    /** The earliest delayed replacement; guarded by nothing, a reconciler is used once on one thread. */
    private Instant nextEvaluationAt;

    private Reconciler(ClusterView view, String jobId, Job job, Instant now) {
        this.view = view;
        this.jobId = jobId;
        this.job = job;
        this.now = now;
    }

    /**
     * @param job the current version of the job, or null when it was purged
     * @param instances every instance of the job the view knows, terminal ones included
     */
    static Reconciliation reconcile(ClusterView view, String jobId, Job job, List<Instance> instances, Instant now) {
        return new Reconciler(view, jobId, job, now).reconcile(instances);
    }

    /**
     * How long a failed instance's index waits before a replacement: {@link #RESCHEDULE_DELAY} after the first
     * failure, doubling with each further failure at that index, capped at {@link #MAX_RESCHEDULE_DELAY}. Without
     * it a task that always crashes would be replaced as fast as it fails, without end.
     */
    static Duration rescheduleDelay(int failures) {
        Duration delay = RESCHEDULE_DELAY;
        for (int i = 1; i < failures && delay.compareTo(MAX_RESCHEDULE_DELAY) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(MAX_RESCHEDULE_DELAY) > 0 ? MAX_RESCHEDULE_DELAY : delay;
    }

    private Reconciliation reconcile(List<Instance> unordered) {
        List<Instance> instances = unordered.stream().sorted(Comparator.comparing(Instance::id)).toList();
        List<InstanceStop> stops = new ArrayList<>();
        List<PlacementRequest> placements = new ArrayList<>();
        if (job == null || job.stopped()) {
            instances.stream().filter(Instance::isLive)
                    .forEach(instance -> stops.add(new InstanceStop(instance.id(), JOB_STOPPED)));
            return new Reconciliation(stops, placements, null);
        }
        Map<String, List<Instance>> byGroup = new HashMap<>();
        for (Instance instance : instances) {
            if (job.group(instance.group()).isEmpty()) {
                if (instance.isLive()) {
                    stops.add(new InstanceStop(instance.id(), GROUP_REMOVED));
                }
            } else {
                byGroup.computeIfAbsent(instance.group(), name -> new ArrayList<>()).add(instance);
            }
        }
        for (Group group : job.groups()) {
            reconcileGroup(group, byGroup.getOrDefault(group.name(), List.of()), stops, placements);
        }
        return new Reconciliation(stops, placements, nextEvaluationAt);
    }

    private void reconcileGroup(Group group, List<Instance> instances, List<InstanceStop> stops,
            List<PlacementRequest> placements) {
        Map<Integer, List<Instance>> liveByIndex = new TreeMap<>();
        Map<Integer, List<Instance>> pastByIndex = new HashMap<>();
        for (Instance instance : instances) {
            (instance.isLive() ? liveByIndex : pastByIndex)
                    .computeIfAbsent(instance.index(), index -> new ArrayList<>()).add(instance);
        }
        for (Map.Entry<Integer, List<Instance>> entry : liveByIndex.entrySet()) {
            if (entry.getKey() < 0 || entry.getKey() >= group.count()) {
                entry.getValue().forEach(instance -> stops.add(new InstanceStop(instance.id(), SCALED_DOWN)));
            }
        }
        for (int index = 0; index < group.count(); index++) {
            List<Instance> live = liveByIndex.getOrDefault(index, List.of());
            if (!live.isEmpty()) {
                List<Instance> ranked = live.stream().sorted(KEEP_FIRST).toList();
                Instance kept = ranked.getFirst();
                for (Instance duplicate : ranked.subList(1, ranked.size())) {
                    stops.add(new InstanceStop(duplicate.id(), "duplicate of " + kept.name()));
                }
                if (!matchesCurrentSpec(kept, group)) {
                    // Destructive update: the old instance stops now and a new one takes its index. The old one
                    // holds its resources until it is terminal, so on a full cluster the new one may wait.
                    stops.add(new InstanceStop(kept.id(), "replaced by version " + job.version()));
                    placements.add(new PlacementRequest(group, index, kept.id(), null));
                }
                continue;
            }
            Optional<Instance> predecessor = pastByIndex.getOrDefault(index, List.of()).stream()
                    .sorted(NEWEST_FIRST).findFirst();
            if (predecessor.isPresent() && isDone(predecessor.get(), group)) {
                continue;
            }
            if (predecessor.isPresent() && predecessor.get().state() == InstanceState.FAILED
                    && predecessor.get().desired() == DesiredStatus.RUN) {
                int failures = (int) pastByIndex.get(index).stream()
                        .filter(instance -> instance.state() == InstanceState.FAILED).count();
                Instant failedAt = predecessor.get().modifyTime() == null ? now : predecessor.get().modifyTime();
                Instant due = failedAt.plus(rescheduleDelay(failures));
                if (due.isAfter(now)) {
                    nextEvaluationAt = nextEvaluationAt == null || due.isBefore(nextEvaluationAt) ? due : nextEvaluationAt;
                    continue;
                }
            }
            String previousId = predecessor.map(Instance::id).orElse(null);
            String avoidNodeId = predecessor
                    .filter(instance -> instance.state() == InstanceState.FAILED || instance.state() == InstanceState.LOST)
                    .map(Instance::nodeId).orElse(null);
            placements.add(new PlacementRequest(group, index, previousId, avoidNodeId));
        }
    }

    /**
     * Whether a batch index has run to completion. Only an instance that completed on its own counts (one the
     * server stopped, e.g. when scaling down, did not finish its work), and only for a spec that still matches:
     * a changed batch job runs again.
     */
    private boolean isDone(Instance newest, Group group) {
        boolean runsToCompletion = job.type() == JobType.BATCH || job.type() == JobType.CRON;
        return runsToCompletion && newest.state() == InstanceState.COMPLETE && newest.desired() == DesiredStatus.RUN
                && matchesCurrentSpec(newest, group);
    }

    /**
     * An instance of an older version can stay when its version had the same group (count aside) and the same
     * job-level constraints: then only bookkeeping changed, such as the count of this or another group. When the
     * old version is no longer kept we cannot tell, and replace it to be safe.
     */
    private boolean matchesCurrentSpec(Instance instance, Group group) {
        if (instance.jobVersion() == job.version()) {
            return true;
        }
        return equivalentByVersion.computeIfAbsent(instance.jobVersion(), version -> new HashMap<>())
                .computeIfAbsent(group.name(), name -> view.jobVersion(jobId, instance.jobVersion())
                        .filter(old -> old.constraints().equals(job.constraints()))
                        .flatMap(old -> old.group(name))
                        .map(old -> old.withCount(group.count()).equals(group))
                        .orElse(false));
    }

    private static Instant createTime(Instance instance) {
        return instance.createTime() == null ? Instant.MIN : instance.createTime();
    }
}

package io.herd.scheduler;

import io.herd.api.BatchProgress;
import io.herd.api.Dependencies;
import io.herd.api.Deployment;
import io.herd.api.DeploymentGroup;
import io.herd.api.DeploymentStatus;
import io.herd.api.DesiredStatus;
import io.herd.api.Group;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStop;
import io.herd.api.Job;
import io.herd.api.JobType;
import io.herd.api.UpdatePolicy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Compares a job with its instances and returns what has to change: which instances to stop and which indices
 * to place. It chooses no node and performs nothing (the {@link Placer} and the plan applier do).
 *
 * <p>Services move to a new version through a {@link Deployment} (see {@link #reconcileRollingGroup}): instances
 * of an older spec are replaced a few at a time under the group's update policy, and the deployment records the
 * progress. Batch jobs replace changed instances at once.
 *
 * <p>Indices are the identity of an instance within its group: {@code 0..count-1} each have exactly one live
 * instance when the job is reconciled, and a replacement takes the index of the instance it replaces.
 */
final class Reconciler {
    static final String JOB_STOPPED = "job stopped";
    static final String GROUP_REMOVED = "group removed";
    static final String SCALED_DOWN = "scaled down";
    static final String CRON_PARENT = "a cron job runs nothing itself; its runs do";
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
    private final Supplier<String> newDeploymentId;
    /** The earliest delayed replacement; guarded by nothing, a reconciler is used once on one thread. */
    private Instant nextEvaluationAt;
    /** The earliest time the deployment needs another look. */
    private Instant deploymentCheckAt;

    private Reconciler(ClusterView view, String jobId, Job job, Instant now, Supplier<String> newDeploymentId) {
        this.view = view;
        this.jobId = jobId;
        this.job = job;
        this.now = now;
        this.newDeploymentId = newDeploymentId;
    }

    /**
     * @param job the current version of the job, or null when it was purged
     * @param instances every instance of the job the view knows, terminal ones included
     */
    static Reconciliation reconcile(ClusterView view, String jobId, Job job, List<Instance> instances, Instant now,
            Supplier<String> newDeploymentId) {
        return new Reconciler(view, jobId, job, now, newDeploymentId).reconcile(instances);
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
        if (job.type() == JobType.CRON) {
            // A cron job places nothing itself: each firing starts a run, a batch job of its own.
            instances.stream().filter(Instance::isLive)
                    .forEach(instance -> stops.add(new InstanceStop(instance.id(), CRON_PARENT)));
            return new Reconciliation(stops, placements, null);
        }
        if (Dependencies.gates(job, instances)
                && !Dependencies.waitingFor(job, view::job, view::instancesOfJob, now).isEmpty()) {
            // Nothing starts before its dependencies are met; the state machine evaluates the job again then.
            return new Reconciliation(stops, placements, null);
        }
        if (job.type() == JobType.BATCH) {
            BatchProgress progress = BatchProgress.of(job, instances, now);
            if (progress.state() == BatchProgress.State.FAILED) {
                // Out of attempts or past the deadline: what still runs stops, and nothing is tried again.
                String reason = progress.reason().startsWith("deadline") ? BatchProgress.DEADLINE_EXCEEDED
                        : "job failed: " + progress.reason();
                instances.stream().filter(Instance::isLive)
                        .forEach(instance -> stops.add(new InstanceStop(instance.id(), reason)));
                return new Reconciliation(stops, placements, null);
            }
            Instant deadline = BatchProgress.deadline(job);
            if (deadline != null && progress.state() != BatchProgress.State.COMPLETE) {
                noteNextEvaluation(deadline);
            }
        }
        if (job.type() != JobType.SERVICE) {
            for (Group group : job.groups()) {
                reconcileGroup(group, byGroup.getOrDefault(group.name(), List.of()), stops, placements);
            }
            limitParallelism(instances, stops, placements);
            return new Reconciliation(stops, placements, nextEvaluationAt);
        }
        Deployment stored = view.latestDeployment(jobId).filter(latest -> latest.jobVersion() == job.version())
                .orElse(null);
        Deployment deployment = stored != null ? stored : newDeployment(byGroup);
        Map<String, DeploymentGroup> progress = new TreeMap<>();
        List<String> unhealthy = new ArrayList<>();
        boolean paused = false;
        for (Group group : job.groups()) {
            DrainMigration.Outcome migration = DrainMigration.plan(view, group,
                    byGroup.getOrDefault(group.name(), List.of()), instance -> matchesCurrentSpec(instance, group));
            stops.addAll(migration.stops());
            placements.addAll(migration.placements());
            byGroup.put(group.name(), migration.live());
        }
        for (Group group : job.groups()) {
            GroupOutcome outcome = reconcileRollingGroup(group, byGroup.getOrDefault(group.name(), List.of()),
                    deployment, stops, placements);
            progress.put(group.name(), outcome.progress());
            unhealthy.addAll(outcome.unhealthy());
            paused |= outcome.paused();
        }
        Deployment advanced = advance(deployment, progress, unhealthy, paused);
        // Only a deployment that changed goes into the plan; times alone do not count as a change.
        Deployment changed = stored != null && advanced.withStatus(advanced.status(), advanced.description(),
                stored.modifyTime()).equals(stored) ? null : advanced;
        return new Reconciliation(stops, placements, nextEvaluationAt, changed,
                advanced.isActive() ? deploymentCheckAt : null);
    }

    // ---------------------------------------------------------------------------------------------- deployments

    /** What reconciling one group of a service found: its progress, the unhealthy new instances, a pause. */
    private record GroupOutcome(DeploymentGroup progress, List<String> unhealthy, boolean paused) {}

    /** The health of an instance of the deployment's spec, as the update policy sees it. */
    private enum Health { HEALTHY, WAITING, UNHEALTHY }

    private Deployment newDeployment(Map<String, List<Instance>> byGroup) {
        Map<String, DeploymentGroup> groups = new TreeMap<>();
        for (Group group : job.groups()) {
            UpdatePolicy policy = policy(group);
            // Canaries only make sense when there is something older to compare them with.
            boolean replacesAny = byGroup.getOrDefault(group.name(), List.of()).stream()
                    .anyMatch(instance -> instance.isLive() && !matchesCurrentSpec(instance, group));
            int canaries = replacesAny ? Math.min(policy.canary(), group.count()) : 0;
            groups.put(group.name(), new DeploymentGroup(group.count(), canaries, canaries == 0, 0, 0, 0,
                    policy.autoRevert(), now.plus(policy.progressDeadline())));
        }
        return new Deployment(newDeploymentId.get(), jobId, job.version(), DeploymentStatus.RUNNING,
                "deploying version " + job.version(), groups, null, null, null, now, now);
    }

    /** The deployment's next status from what its groups report. A final status never changes. */
    private Deployment advance(Deployment deployment, Map<String, DeploymentGroup> progress, List<String> unhealthy,
            boolean paused) {
        Deployment updated = deployment.withGroups(progress, now);
        if (!deployment.isActive()) {
            return updated;
        }
        if (!unhealthy.isEmpty()) {
            return updated.withStatus(DeploymentStatus.FAILED, String.join("; ", unhealthy), now);
        }
        for (Map.Entry<String, DeploymentGroup> entry : progress.entrySet()) {
            DeploymentGroup group = entry.getValue();
            boolean done = group.healthy() >= group.desired() && group.promoted();
            if (!done && !paused && group.progressDeadline() != null && !now.isBefore(group.progressDeadline())) {
                return updated.withStatus(DeploymentStatus.FAILED, "group " + entry.getKey()
                        + " made no progress by its progress_deadline", now);
            }
        }
        boolean allDone = progress.values().stream()
                .allMatch(group -> group.healthy() >= group.desired() && group.promoted());
        if (allDone) {
            return updated.withStatus(DeploymentStatus.SUCCESSFUL,
                    "version " + job.version() + " is healthy on every instance", now);
        }
        if (paused) {
            return updated.withStatus(DeploymentStatus.PAUSED,
                    "canaries are healthy; waiting for 'herd promote " + jobId + "'", now);
        }
        return updated.withStatus(DeploymentStatus.RUNNING, deployment.restartBefore() != null
                ? "restarting version " + job.version() : "deploying version " + job.version(), now);
    }

    private static UpdatePolicy policy(Group group) {
        return group.update() == null ? UpdatePolicy.DEFAULT : group.update();
    }

    /**
     * One group of a service under a deployment. Each index {@code 0..count-1} holds at most one instance of the
     * deployment's spec ("fresh") and at most one older ("stale"); both at once while a surge or canary instance
     * runs beside the one it will replace.
     *
     * <p>While the deployment is active, a fresh instance is healthy once it has been ready for min_healthy_time,
     * unhealthy when it failed or is not ready by healthy_deadline (which fails the deployment), and waiting
     * otherwise. Stale instances are replaced under these rules:
     * <ol>
     *   <li>canaries first: with {@code canary: N} and no promotion yet, N fresh instances are placed beside stale
     *       ones, and the group pauses once they are healthy (or is promoted at once with auto_promote);</li>
     *   <li>a stale instance whose fresh partner is healthy stops;</li>
     *   <li>while fewer than max_parallel + max_surge indices wait for a fresh instance, more start: first up to
     *       max_surge beside their stale instance (nothing stops), then up to max_parallel by stopping the stale
     *       one and placing a fresh one, but only while at least {@code count - max_parallel} indices keep a ready
     *       instance. Stale instances that are not ready go first: replacing them costs no capacity.</li>
     * </ol>
     * Once the deployment is final (successful, failed), stale instances are left alone: a failed deployment holds
     * where it stopped (unless auto_revert registers an earlier spec, which starts a new deployment).
     */
    private GroupOutcome reconcileRollingGroup(Group group, List<Instance> instances, Deployment deployment,
            List<InstanceStop> stops, List<PlacementRequest> placements) {
        UpdatePolicy policy = policy(group);
        DeploymentGroup stored = deployment.groups().get(group.name());
        if (stored == null) {
            stored = new DeploymentGroup(group.count(), 0, true, 0, 0, 0, policy.autoRevert(),
                    now.plus(policy.progressDeadline()));
        }
        Map<Integer, List<Instance>> liveByIndex = new TreeMap<>();
        Map<Integer, List<Instance>> pastByIndex = new HashMap<>();
        List<String> unhealthy = new ArrayList<>();
        int placed = 0;
        for (Instance instance : instances) {
            (instance.isLive() ? liveByIndex : pastByIndex)
                    .computeIfAbsent(instance.index(), index -> new ArrayList<>()).add(instance);
            if (!instance.isLive() && instance.state() == InstanceState.FAILED && belongsTo(instance, deployment)
                    && isFresh(instance, group, deployment)) {
                placed++;
                unhealthy.add("instance " + instance.name() + " failed"
                        + (instance.reason() == null ? "" : " (" + instance.reason() + ")"));
            }
        }
        for (Map.Entry<Integer, List<Instance>> entry : liveByIndex.entrySet()) {
            if (entry.getKey() < 0 || entry.getKey() >= group.count()) {
                entry.getValue().forEach(instance -> stops.add(new InstanceStop(instance.id(), SCALED_DOWN)));
            }
        }
        boolean active = deployment.isActive();
        Map<Integer, Instance> fresh = new TreeMap<>();
        Map<Integer, Instance> stale = new TreeMap<>();
        for (int index = 0; index < group.count(); index++) {
            List<Instance> live = liveByIndex.getOrDefault(index, List.of());
            List<Instance> freshOnes = live.stream().filter(instance -> isFresh(instance, group, deployment))
                    .sorted(KEEP_FIRST).toList();
            List<Instance> staleOnes = live.stream().filter(instance -> !isFresh(instance, group, deployment))
                    .sorted(KEEP_FIRST).toList();
            for (List<Instance> ranked : List.of(freshOnes, staleOnes)) {
                for (Instance duplicate : ranked.stream().skip(1).toList()) {
                    stops.add(new InstanceStop(duplicate.id(), "duplicate of " + ranked.getFirst().name()));
                }
            }
            if (!freshOnes.isEmpty()) {
                fresh.put(index, freshOnes.getFirst());
            }
            if (!staleOnes.isEmpty()) {
                stale.put(index, staleOnes.getFirst());
            }
            if (freshOnes.isEmpty() && staleOnes.isEmpty()) {
                placeMissing(group, index, pastByIndex.getOrDefault(index, List.of()), placements);
            }
        }

        int healthy = 0;
        Map<Integer, Health> health = new TreeMap<>();
        for (Map.Entry<Integer, Instance> entry : fresh.entrySet()) {
            Instance instance = entry.getValue();
            Health verdict = health(instance, policy);
            health.put(entry.getKey(), verdict);
            if (belongsTo(instance, deployment)) {
                placed++;
            }
            if (verdict == Health.HEALTHY) {
                healthy++;
            } else if (verdict == Health.UNHEALTHY && active) {
                unhealthy.add("instance " + instance.name() + " not healthy within "
                        + io.herd.api.Quantities.formatDuration(policy.healthyDeadline()));
            }
        }
        Instant progressDeadline = healthy > stored.healthy() || stored.progressDeadline() == null
                ? now.plus(policy.progressDeadline()) : stored.progressDeadline();

        if (!active || !unhealthy.isEmpty()) {
            // Final, or failing now: no further replacements. A surge or canary instance beside a stale one goes
            // unless it is healthy; a stale instance whose partner is healthy goes.
            for (Map.Entry<Integer, Instance> entry : stale.entrySet()) {
                Instance partner = fresh.get(entry.getKey());
                if (partner != null) {
                    boolean keepFresh = health.get(entry.getKey()) == Health.HEALTHY || !active
                            && deployment.status() == DeploymentStatus.SUCCESSFUL;
                    Instance loser = keepFresh ? entry.getValue() : partner;
                    stops.add(new InstanceStop(loser.id(), keepFresh ? "replaced by version " + job.version()
                            : "deployment of version " + job.version() + " failed"));
                }
            }
            DeploymentGroup progress = new DeploymentGroup(group.count(), stored.canaries(), stored.promoted(), placed,
                    healthy, unhealthy.size(), policy.autoRevert(), progressDeadline);
            return new GroupOutcome(active ? progress : stored, unhealthy, false);
        }

        boolean promoted = stored.promoted();
        boolean paused = false;
        if (!promoted) {
            List<Integer> canaries = new ArrayList<>();
            for (Integer index : stale.keySet()) {
                if (fresh.containsKey(index)) {
                    canaries.add(index);
                }
            }
            for (Integer index : stale.keySet()) {
                if (canaries.size() >= stored.canaries()) {
                    break;
                }
                if (!fresh.containsKey(index)) {
                    placements.add(new PlacementRequest(group, index, null, null));
                    canaries.add(index);
                    placed++;
                    health.put(index, Health.WAITING);
                }
            }
            boolean canariesHealthy = canaries.stream().allMatch(index -> health.get(index) == Health.HEALTHY);
            if (stale.isEmpty() || canariesHealthy && policy.autoPromote()) {
                promoted = true;
            } else {
                paused = canariesHealthy;
                noteWaiting(fresh, health, policy);
                notePlacedNow(group, placements, policy);
                DeploymentGroup progress = new DeploymentGroup(group.count(), stored.canaries(), false, placed, healthy,
                        0, policy.autoRevert(), paused ? null : progressDeadline);
                return new GroupOutcome(progress, unhealthy, paused);
            }
        }

        // Rule 2: a healthy fresh instance retires its stale partner.
        for (Integer index : List.copyOf(stale.keySet())) {
            if (fresh.containsKey(index) && health.get(index) == Health.HEALTHY) {
                stops.add(new InstanceStop(stale.get(index).id(), "replaced by version " + job.version()));
                stale.remove(index);
            }
        }
        // Rule 3: start more replacements within max_parallel and max_surge.
        int waiting = (int) health.values().stream().filter(verdict -> verdict != Health.HEALTHY).count();
        int surging = (int) stale.keySet().stream().filter(fresh::containsKey).count();
        int replacing = waiting - surging;
        int readyIndices = 0;
        for (int index = 0; index < group.count(); index++) {
            boolean freshReady = fresh.containsKey(index) && fresh.get(index).isReady();
            boolean staleReady = stale.containsKey(index) && stale.get(index).isReady();
            if (freshReady || staleReady) {
                readyIndices++;
            }
        }
        int minimumReady = group.count() - policy.maxParallel();
        List<Instance> candidates = stale.entrySet().stream()
                .filter(entry -> !fresh.containsKey(entry.getKey()))
                .map(Map.Entry::getValue)
                .sorted(Comparator.comparing(Instance::isReady).thenComparingInt(Instance::index))
                .toList();
        for (Instance old : candidates) {
            if (surging < policy.maxSurge()) {
                placements.add(new PlacementRequest(group, old.index(), null, null));
                surging++;
                placed++;
            } else if (replacing < policy.maxParallel() && (!old.isReady() || readyIndices - 1 >= minimumReady)) {
                stops.add(new InstanceStop(old.id(), "replaced by version " + job.version()));
                placements.add(new PlacementRequest(group, old.index(), old.id(), null));
                replacing++;
                placed++;
                if (old.isReady()) {
                    readyIndices--;
                }
            } else {
                break;
            }
        }
        noteWaiting(fresh, health, policy);
        notePlacedNow(group, placements, policy);
        if (healthy < group.count()) {
            noteDue(progressDeadline);
        }
        DeploymentGroup progress = new DeploymentGroup(group.count(), stored.canaries(), promoted, placed, healthy, 0,
                policy.autoRevert(), progressDeadline);
        return new GroupOutcome(progress, unhealthy, false);
    }

    /**
     * {@code batch.parallelism}: at most that many instances of the job live at once. Placements beyond what the
     * live instances leave room for wait; the state machine evaluates the job again when one completes.
     */
    private void limitParallelism(List<Instance> instances, List<InstanceStop> stops,
            List<PlacementRequest> placements) {
        int parallelism = job.batchPolicy().parallelism();
        if (parallelism <= 0) {
            return;
        }
        java.util.Set<String> stopping = new java.util.HashSet<>();
        stops.forEach(stop -> stopping.add(stop.instanceId()));
        long live = instances.stream().filter(instance -> instance.isLive() && !stopping.contains(instance.id()))
                .count();
        int room = (int) Math.max(0, parallelism - live);
        if (placements.size() > room) {
            placements.subList(room, placements.size()).clear();
        }
    }

    private void noteNextEvaluation(Instant due) {
        if (due.isAfter(now)) {
            nextEvaluationAt = nextEvaluationAt == null || due.isBefore(nextEvaluationAt) ? due : nextEvaluationAt;
        }
    }

    /** An index without any live instance: place one now, or later when its last one failed recently. */
    private void placeMissing(Group group, int index, List<Instance> past, List<PlacementRequest> placements) {
        Optional<Instance> predecessor = past.stream().sorted(NEWEST_FIRST).findFirst();
        if (predecessor.isPresent() && predecessor.get().state() == InstanceState.FAILED
                && predecessor.get().desired() == DesiredStatus.RUN) {
            int failures = (int) past.stream().filter(instance -> instance.state() == InstanceState.FAILED).count();
            Instant failedAt = predecessor.get().modifyTime() == null ? now : predecessor.get().modifyTime();
            Instant due = failedAt.plus(rescheduleDelay(failures));
            if (due.isAfter(now)) {
                nextEvaluationAt = nextEvaluationAt == null || due.isBefore(nextEvaluationAt) ? due : nextEvaluationAt;
                return;
            }
        }
        String previousId = predecessor.map(Instance::id).orElse(null);
        String avoidNodeId = predecessor
                .filter(instance -> instance.state() == InstanceState.FAILED || instance.state() == InstanceState.LOST)
                .map(Instance::nodeId).orElse(null);
        placements.add(new PlacementRequest(group, index, previousId, avoidNodeId));
    }

    /** When each waiting fresh instance will have a verdict: the next evaluation is due then. */
    private void noteWaiting(Map<Integer, Instance> fresh, Map<Integer, Health> health, UpdatePolicy policy) {
        fresh.forEach((index, instance) -> {
            if (health.get(index) != Health.WAITING) {
                return;
            }
            if (instance.isReady() && instance.readySince() != null) {
                noteDue(instance.readySince().plus(policy.minHealthyTime()));
            } else {
                noteDue(createTime(instance).plus(policy.healthyDeadline()));
            }
        });
    }

    /** Instances placed by this plan have until healthy_deadline from now. */
    private void notePlacedNow(Group group, List<PlacementRequest> placements, UpdatePolicy policy) {
        if (placements.stream().anyMatch(placement -> placement.group().name().equals(group.name()))) {
            noteDue(now.plus(policy.healthyDeadline()));
        }
    }

    private void noteDue(Instant due) {
        if (due != null && due.isAfter(now)) {
            deploymentCheckAt = deploymentCheckAt == null || due.isBefore(deploymentCheckAt) ? due : deploymentCheckAt;
        }
    }

    private Health health(Instance instance, UpdatePolicy policy) {
        if (instance.isReady()) {
            Instant readySince = instance.readySince() == null ? createTime(instance) : instance.readySince();
            return readySince.plus(policy.minHealthyTime()).isAfter(now) ? Health.WAITING : Health.HEALTHY;
        }
        boolean late = instance.createTime() != null && !instance.createTime().plus(policy.healthyDeadline()).isAfter(now);
        return late ? Health.UNHEALTHY : Health.WAITING;
    }

    /** Whether the instance runs the deployment's spec (and, for a restart, started after the restart began). */
    private boolean isFresh(Instance instance, Group group, Deployment deployment) {
        if (!matchesCurrentSpec(instance, group)) {
            return false;
        }
        return !deployment.restarts(group.name()) || !createTime(instance).isBefore(deployment.restartBefore());
    }

    /** Whether the deployment placed the instance (rather than finding it in place). */
    private static boolean belongsTo(Instance instance, Deployment deployment) {
        return deployment.createTime() == null || !createTime(instance).isBefore(deployment.createTime());
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
     * An instance of an older version can stay when its version had the same group (count and update policy aside:
     * they need no restart) and the same
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
                        .map(old -> inPlace(old, group))
                        .orElse(false));
    }

    /** Whether an instance of the {@code old} group can keep running as {@code group}: only count or update differ. */
    static boolean inPlace(Group old, Group group) {
        return old.withCount(group.count()).withUpdate(group.update()).equals(group);
    }

    private static Instant createTime(Instance instance) {
        return instance.createTime() == null ? Instant.MIN : instance.createTime();
    }
}

package io.herd.state;

import io.herd.api.BatchProgress;
import io.herd.api.CronPolicy;
import io.herd.api.CronRun;
import io.herd.api.Dependencies;
import io.herd.api.Deployment;
import io.herd.api.DeploymentGroup;
import io.herd.api.DeploymentStatus;
import io.herd.api.DesiredStatus;
import io.herd.api.Evaluation;
import io.herd.api.Event;
import io.herd.api.EventFilter;
import io.herd.api.EventSubscription;
import io.herd.api.EvaluationStatus;
import io.herd.api.EvaluationTrigger;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.InstanceStop;
import io.herd.api.Job;
import io.herd.api.JobType;
import io.herd.api.Node;
import io.herd.api.NodeDrain;
import io.herd.api.NodeEligibility;
import io.herd.api.NodeStatus;
import io.herd.api.PlacementFailure;
import io.herd.api.Plan;
import io.herd.api.StickyVolume;
import io.herd.api.Volume;
import io.herd.api.TaskState;

import io.herd.state.usage.UsageHistory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * The replicated state of the control plane: jobs with their recent versions, nodes, instances, evaluations and
 * servers, plus the indexes reads need. It changes only through {@link #apply}, which every server runs for the
 * same commands in the same order, so it must be deterministic: it never reads the clock, random numbers or the
 * network (ids and times come in the commands), and it iterates only sorted collections, so that whatever it
 * derives (evaluation ids, creation order) comes out the same on every replica.
 *
 * <p>{@link #apply} is total: a command that refers to something unknown is ignored with a message, never an
 * exception, because an exception inside apply would stop the replica for a command already committed to the log.
 *
 * <h2>Evaluations</h2>
 * Apply never skips creating an evaluation because the job already has a pending one: a pending evaluation may
 * already be in a scheduler worker's hands, planned from a snapshot that predates the new trigger, so dropping
 * the new one would lose the trigger. Evaluations are kept from piling up the other way round: when a plan for
 * evaluation E is applied, every older pending or blocked evaluation of the same job is completed as superseded
 * by E. That is safe because a worker plans E from a snapshot taken at or after E's creation, which already
 * reflects everything the older evaluations were created for. Within one command at most one evaluation is
 * created per job.
 *
 * <p>Not thread-safe: {@link StateStore} serialises writers and readers.
 */
public final class ClusterState {
    /** How many versions of a job are kept, the current one included. */
    public static final int JOB_HISTORY_LIMIT = 10;
    /** How many deployments of a job are kept, the newest included. */
    public static final int DEPLOYMENT_HISTORY_LIMIT = 10;
    /**
     * How many firings of a cron job are kept; a finished run whose firing is dropped is purged with it (its
     * instances go by garbage collection), so that runs do not pile up. Active runs are never dropped.
     */
    public static final int CRON_RUN_HISTORY_LIMIT = 20;

    static final String NODE_DOWN_REASON = "node down";
    static final String DRAIN_DEADLINE_REASON = "node drain deadline reached";

    private long index;
    private final SortedMap<String, ServerRecord> servers = new TreeMap<>();
    /** The current version of each job. */
    private final SortedMap<String, Job> jobs = new TreeMap<>();
    /** The newest versions of each current job, the current one included. */
    private final SortedMap<String, NavigableMap<Long, Job>> jobHistory = new TreeMap<>();
    private final SortedMap<String, Long> highestJobVersions = new TreeMap<>();
    private final SortedMap<String, Node> nodes = new TreeMap<>();
    private final SortedMap<String, Instance> instances = new TreeMap<>();
    /*
     * Secondary indexes hold the instances themselves (by id), not just their ids: reads by job (every scheduler
     * pass, every job summary) and by node (every agent's blocking query) then copy values instead of looking up
     * each id in the main map.
     */
    private final SortedMap<String, NavigableMap<String, Instance>> instancesByJob = new TreeMap<>();
    private final SortedMap<String, NavigableMap<String, Instance>> instancesByNode = new TreeMap<>();
    /**
     * The log index at which the instances on each node last changed (placed, updated, removed): what an agent's
     * blocking query on its assignments waits for. A read-side index only, not part of {@link StateData}: a state
     * rebuilt from a snapshot answers the snapshot's index for every node ({@link #restoredIndex}), later than
     * or equal to the true last change, which is all a waiting agent needs (it re-reads at most once).
     */
    private final Map<String, Long> nodeAssignmentIndexes = new HashMap<>();
    private long restoredIndex;
    /** Nodes whose instances changed in the command being applied; see {@link #nodesChangedByLastApply()}. */
    private final Set<String> nodesChangedByLastApply = new HashSet<>();
    /** The newest deployments of each current job, oldest first. */
    private final SortedMap<String, List<Deployment>> deploymentsByJob = new TreeMap<>();
    /** The kept firings of each cron job, oldest first; the last one is what the next firing must be after. */
    private final SortedMap<String, List<CronRun>> cronRunsByJob = new TreeMap<>();

    /*
     * Evaluations are ordered by a creation sequence rather than by their create time: times come from whichever
     * server led when the command was proposed, and clocks of different leaders may disagree, while log order
     * is the one order every replica shares.
     */
    private final SortedMap<String, Evaluation> evaluations = new TreeMap<>();
    private final SortedMap<String, Long> evaluationSequences = new TreeMap<>();
    private final NavigableMap<Long, String> evaluationsInCreationOrder = new TreeMap<>();
    private final SortedMap<String, NavigableMap<Long, String>> evaluationsByJob = new TreeMap<>();
    private final NavigableMap<Long, String> pendingEvaluations = new TreeMap<>();
    private final NavigableMap<Long, String> blockedEvaluations = new TreeMap<>();
    private long nextEvaluationSequence;

    /**
     * The sticky volumes of stateful groups by {@link StickyVolume#key()}: created when the first instance of a
     * group index is placed, deleted when the job is purged. The scheduler places every later instance of the
     * index on the volume's node.
     */
    private final SortedMap<String, StickyVolume> volumes = new TreeMap<>();
    /** The same volumes by job id and by node id, then by key: every placement on a node reads its volumes. */
    private final SortedMap<String, SortedMap<String, StickyVolume>> volumesByJob = new TreeMap<>();
    private final SortedMap<String, SortedMap<String, StickyVolume>> volumesByNode = new TreeMap<>();

    /** Derived from the commands by {@link EventRecorder}; see {@link EventLog}. */
    private final EventLog events;
    /** Appended to by {@link RecordUsage}; thread-safe on its own, so queries read it without the state lock. */
    private final UsageHistory usage;

    private final StateView view = new View();

    public ClusterState() {
        this(EventPolicy.DEFAULT);
    }

    public ClusterState(EventPolicy eventPolicy) {
        this(eventPolicy, UsageHistory.DEFAULT_RETENTION);
    }

    /** @param usageRetention how long usage samples are kept; zero keeps none */
    public ClusterState(EventPolicy eventPolicy, Duration usageRetention) {
        this(new EventLog(eventPolicy), new UsageHistory(usageRetention));
    }

    private ClusterState(EventLog events, UsageHistory usage) {
        this.events = events;
        this.usage = usage;
    }

    /** The cpu and memory history; safe to read without the state lock (see {@link UsageHistory}). */
    public UsageHistory usage() {
        return usage;
    }

    /** How long and how many events this state keeps. */
    public EventPolicy eventPolicy() {
        return events.policy();
    }

    /**
     * Applies one committed command at Raft log index {@code index}. Never throws for a non-null command;
     * references to unknown jobs, nodes, instances or evaluations are ignored. Every call sets the state's index,
     * also when nothing changed, so that blocking queries wake up.
     */
    public ApplyResult apply(long index, Command command) {
        this.index = index;
        nodesChangedByLastApply.clear();
        if (command == null) {
            return ApplyResult.unchanged(index, "no command");
        }
        EventRecorder.Before before = EventRecorder.capture(command, view);
        ApplyResult result = switch (command) {
            case RegisterServer register -> registerServer(register);
            case RegisterJob register -> registerJob(register);
            case DeregisterJob deregister -> deregisterJob(deregister);
            case UpsertNode upsert -> upsertNode(upsert);
            case SetNodeStatus status -> setNodeStatus(status);
            case ApplyPlan plan -> applyPlan(plan);
            case UpdateInstances update -> updateInstances(update.commandId(), update.time(),
                    List.of(new UpdateInstancesBatch.NodeReport(update.nodeId(), update.updates())));
            case GarbageCollect collect -> garbageCollect(collect);
            case UpdateInstancesBatch batch -> updateInstances(batch.commandId(), batch.time(), batch.reports());
            case PromoteDeployment promote -> promoteDeployment(promote);
            case RestartJob restart -> restartJob(restart);
            case SubscribeEvents subscribe -> events.subscribe(index, subscribe);
            case UnsubscribeEvents unsubscribe -> events.unsubscribe(index, unsubscribe);
            case AckEvents ack -> events.acknowledge(index, ack);
            case RecordUsage record -> {
                int stored = usage.record(record);
                yield new ApplyResult(index, stored > 0, 0, List.of(), stored + " usage samples recorded");
            }
            case FireCron fire -> fireCron(fire);
            case SetNodeEligibility eligibility -> setNodeEligibility(eligibility);
            case SetNodeDrain drain -> setNodeDrain(drain);
            case NodeDrainDeadline deadline -> nodeDrainDeadline(deadline);
            case CompleteNodeDrain complete -> completeNodeDrain(complete);
            case SetNodeConditions conditions -> setNodeConditions(conditions);
        };
        EventRecorder.record(command, before, view, result, events);
        events.prune(command.time());
        return result;
    }

    /** Live read access; see {@link StateView} for what stays valid after the caller's lock is released. */
    public StateView view() {
        return view;
    }

    /** What {@link StateView#nodeAssignmentsIndex} answers for a node never changed since the state was rebuilt. */
    long restoredIndex() {
        return restoredIndex;
    }

    /** A copy of the per-node assignments indexes recorded since the state was built or rebuilt. */
    Map<String, Long> nodeAssignmentIndexes() {
        return Map.copyOf(nodeAssignmentIndexes);
    }

    /** The nodes whose instances the last {@link #apply} changed (placed, updated or removed): whose watchers to wake. */
    Set<String> nodesChangedByLastApply() {
        return Collections.unmodifiableSet(nodesChangedByLastApply);
    }

    /** Everything as sorted, immutable data: what a snapshot holds. */
    public StateData toData() {
        List<Job> history = new ArrayList<>();
        for (NavigableMap<Long, Job> versions : jobHistory.values()) {
            history.addAll(versions.values());
        }
        List<Evaluation> evaluationsInOrder = evaluationsInCreationOrder.values().stream()
                .map(evaluations::get)
                .toList();
        List<Deployment> deployments = deploymentsByJob.values().stream().flatMap(List::stream).toList();
        List<CronRun> cronRuns = cronRunsByJob.values().stream().flatMap(List::stream).toList();
        return new StateData(index, List.copyOf(servers.values()), List.copyOf(jobs.values()), history,
                highestJobVersions, List.copyOf(nodes.values()), List.copyOf(instances.values()), evaluationsInOrder,
                deployments, events.toData(), usage.toData(), cronRuns, List.copyOf(volumes.values()));
    }

    /** Rebuilds a state, indexes included, from {@link #toData()}, keeping events by the default policy. */
    public static ClusterState fromData(StateData data) {
        return fromData(data, EventPolicy.DEFAULT);
    }

    /** Rebuilds a state, indexes included, from {@link #toData()}, keeping usage by the default retention. */
    public static ClusterState fromData(StateData data, EventPolicy eventPolicy) {
        return fromData(data, eventPolicy, UsageHistory.DEFAULT_RETENTION);
    }

    /** Rebuilds a state, indexes included, from {@link #toData()}. */
    public static ClusterState fromData(StateData data, EventPolicy eventPolicy, Duration usageRetention) {
        ClusterState state = new ClusterState(EventLog.fromData(data.events(), eventPolicy),
                UsageHistory.fromData(data.usage(), usageRetention));
        state.index = data.index();
        state.restoredIndex = data.index();
        for (ServerRecord server : data.servers()) {
            state.servers.put(server.id(), server);
        }
        for (Job version : data.jobHistory()) {
            state.jobHistory.computeIfAbsent(version.id(), id -> new TreeMap<>()).put(version.version(), version);
        }
        for (Job job : data.jobs()) {
            state.jobs.put(job.id(), job);
            state.rememberVersion(job);
        }
        // History of a purged job cannot exist; drop any so that history always belongs to a current job.
        state.jobHistory.keySet().retainAll(state.jobs.keySet());
        state.highestJobVersions.putAll(data.highestJobVersions());
        for (NavigableMap<Long, Job> versions : state.jobHistory.values()) {
            Job newest = versions.lastEntry().getValue();
            state.highestJobVersions.merge(newest.id(), newest.version(), Math::max);
        }
        for (Node node : data.nodes()) {
            state.nodes.put(node.id(), node);
        }
        for (Instance instance : data.instances()) {
            state.putInstance(instance);
        }
        // Restored, not changed: every node answers restoredIndex (see nodeAssignmentIndexes).
        state.nodeAssignmentIndexes.clear();
        state.nodesChangedByLastApply.clear();
        for (Evaluation evaluation : data.evaluations()) {
            if (!state.evaluations.containsKey(evaluation.id())) {
                state.addEvaluation(evaluation);
            }
        }
        for (Deployment deployment : data.deployments()) {
            if (state.jobs.containsKey(deployment.jobId())) {
                state.putDeployment(deployment);
            }
        }
        for (CronRun run : data.cronRuns()) {
            if (state.jobs.containsKey(run.jobId())) {
                state.cronRunsByJob.computeIfAbsent(run.jobId(), id -> new ArrayList<>()).add(run);
            }
        }
        for (StickyVolume volume : data.volumes()) {
            state.putVolume(volume);
        }
        return state;
    }

    // ---------------------------------------------------------------------------------------------- commands

    private ApplyResult registerServer(RegisterServer command) {
        ServerRecord server = new ServerRecord(command.serverId(), command.raftAddress(), command.httpAddress());
        ServerRecord previous = servers.put(server.id(), server);
        boolean changed = !server.equals(previous);
        return new ApplyResult(index, changed, 0, List.of(),
                changed ? "server " + server.id() + " registered" : "server " + server.id() + " unchanged");
    }

    private ApplyResult registerJob(RegisterJob command) {
        Job submitted = command.job();
        String jobId = submitted.id();
        Job current = jobs.get(jobId);
        if (current != null && !current.stopped() && current.sameSpecAs(submitted)) {
            return new ApplyResult(index, false, current.version(), List.of(),
                    "job " + jobId + " unchanged at version " + current.version());
        }
        long highest = highestJobVersions.getOrDefault(jobId, 0L);
        long version = Math.max(highest, current == null ? 0 : current.version()) + 1;
        Job registered = submitted.withVersion(version, command.time()).withStopped(false);
        jobs.put(jobId, registered);
        rememberVersion(registered);
        cancelActiveDeployment(jobId, "superseded by version " + version, command.time());
        String evaluationId = createPendingEvaluation(command.evaluationId(), jobId, EvaluationTrigger.JOB_REGISTER,
                command.time());
        return new ApplyResult(index, true, version, List.of(evaluationId),
                "job " + jobId + " registered at version " + version);
    }

    private ApplyResult deregisterJob(DeregisterJob command) {
        String jobId = command.jobId();
        Job current = jobs.get(jobId);
        if (current == null) {
            return ApplyResult.unchanged(index, "job not found");
        }
        Job stopped = current.withStopped(true);
        cancelActiveDeployment(jobId, "job stopped", command.time());
        // A cron job's runs stop with it (and go with it when it is purged), as Kubernetes' CronJob's jobs do.
        List<String> created = new ArrayList<>();
        for (CronRun run : cronRunsByJob.getOrDefault(jobId, List.of())) {
            Job runJob = run.runJobId() == null ? null : jobs.get(run.runJobId());
            if (runJob == null || (runJob.stopped() && !command.purge())) {
                continue;
            }
            created.add(stopJob(runJob, command.purge(), derivedEvaluationId(command.evaluationId(), runJob.id()),
                    command.time()));
        }
        if (command.purge()) {
            cronRunsByJob.remove(jobId);
        }
        if (command.purge()) {
            // Instances stay until garbage collected: the scheduler sees no job and stops them.
            jobs.remove(jobId);
            jobHistory.remove(jobId);
            deploymentsByJob.remove(jobId);
            removeVolumesOf(jobId);
        } else {
            jobs.put(jobId, stopped);
            rememberVersion(stopped);
        }
        String evaluationId = createPendingEvaluation(command.evaluationId(), jobId,
                EvaluationTrigger.JOB_DEREGISTER, command.time());
        created.addFirst(evaluationId);
        return new ApplyResult(index, true, stopped.version(), created,
                "job " + jobId + (command.purge() ? " stopped and purged" : " stopped") + (created.size() > 1
                        ? " with " + (created.size() - 1) + " runs" : ""));
    }

    /** Stops (or purges) a cron run, a job other than the one a command names; returns its evaluation. */
    private String stopJob(Job job, boolean purge, String evaluationId, Instant time) {
        cancelActiveDeployment(job.id(), "job stopped", time);
        if (purge) {
            forgetRun(job);
        } else {
            Job stopped = job.withStopped(true);
            jobs.put(job.id(), stopped);
            rememberVersion(stopped);
        }
        return createPendingEvaluation(evaluationId, job.id(), EvaluationTrigger.JOB_DEREGISTER, time);
    }

    /**
     * A cron job fired: records the firing and, by the job's concurrency policy, starts a run (a batch job with
     * the cron job's groups), skips it, or stops the active runs first. Ignored unless the scheduled time is after
     * the job's last recorded firing: that is what makes a repeated proposal harmless.
     */
    private ApplyResult fireCron(FireCron command) {
        Job cron = jobs.get(command.jobId());
        if (cron == null || cron.stopped() || cron.type() != JobType.CRON || cron.cron() == null) {
            return ApplyResult.unchanged(index, "job " + command.jobId() + " is not a running cron job");
        }
        List<CronRun> kept = cronRunsByJob.computeIfAbsent(cron.id(), id -> new ArrayList<>());
        Optional<Instant> last = lastFiring(cron.id());
        if (last.isPresent() && !command.scheduledTime().isAfter(last.get())) {
            return ApplyResult.unchanged(index, "job " + cron.id() + " already fired for " + last.get());
        }
        Instant time = command.time();
        if (!command.start()) {
            kept.add(new CronRun(cron.id(), command.scheduledTime(), CronRun.Outcome.MISSED, null,
                    "missed " + (command.missed() + 1) + (command.missed() == 0 ? " firing" : " firings")
                            + " (no leader in time; catch_up: " + cron.cron().catchUp().wireName() + ")", time));
            trimCronRuns(cron.id(), time);
            return new ApplyResult(index, true, cron.version(), List.of(), "job " + cron.id() + " missed "
                    + command.scheduledTime());
        }
        String runName = CronRun.runName(cron.name(), command.scheduledTime());
        String runId = Job.id(cron.app(), runName);
        if (jobs.containsKey(runId)) {
            return ApplyResult.unchanged(index, "run " + runId + " exists");
        }
        List<Job> active = activeRuns(cron.id(), time);
        String missedNote = command.missed() > 0 ? "; " + command.missed() + " earlier firings missed" : "";
        if (cron.cron().concurrency() == CronPolicy.Concurrency.FORBID && !active.isEmpty()) {
            kept.add(new CronRun(cron.id(), command.scheduledTime(), CronRun.Outcome.SKIPPED, null,
                    "run " + active.getFirst().id() + " is still active (concurrency: forbid)" + missedNote, time));
            trimCronRuns(cron.id(), time);
            return new ApplyResult(index, true, cron.version(), List.of(), "job " + cron.id() + " skipped "
                    + command.scheduledTime());
        }
        List<String> created = new ArrayList<>();
        if (cron.cron().concurrency() == CronPolicy.Concurrency.REPLACE) {
            for (Job replaced : active) {
                created.add(stopJob(replaced, false, derivedEvaluationId(command.evaluationId(), replaced.id()), time));
            }
        }
        long version = highestJobVersions.getOrDefault(runId, 0L) + 1;
        Job run = cron.asRun(runName).withVersion(version, time);
        jobs.put(runId, run);
        rememberVersion(run);
        created.addFirst(createPendingEvaluation(command.evaluationId(), runId, EvaluationTrigger.JOB_REGISTER, time));
        kept.add(new CronRun(cron.id(), command.scheduledTime(), CronRun.Outcome.STARTED, runId,
                active.isEmpty() || cron.cron().concurrency() != CronPolicy.Concurrency.REPLACE
                        ? (missedNote.isEmpty() ? null : missedNote.substring(2))
                        : "replaced " + active.stream().map(Job::id).collect(Collectors.joining(", ")) + missedNote,
                time));
        trimCronRuns(cron.id(), time);
        return new ApplyResult(index, true, version, created, "job " + cron.id() + " started run " + runId
                + createdSuffix(created));
    }

    private Optional<Instant> lastFiring(String jobId) {
        List<CronRun> kept = cronRunsByJob.get(jobId);
        return kept == null || kept.isEmpty() ? Optional.empty() : Optional.of(kept.getLast().scheduledTime());
    }

    /** The runs of a cron job that are neither stopped nor finished, oldest first. */
    private List<Job> activeRuns(String cronJobId, Instant time) {
        List<Job> active = new ArrayList<>();
        for (CronRun run : cronRunsByJob.getOrDefault(cronJobId, List.of())) {
            Job runJob = run.runJobId() == null ? null : jobs.get(run.runJobId());
            if (runJob != null && isActiveRun(runJob, time)) {
                active.add(runJob);
            }
        }
        return active;
    }

    private boolean isActiveRun(Job runJob, Instant time) {
        return !runJob.stopped() && !BatchProgress.of(runJob, viewInstancesOfJob(runJob.id()), time).state().isFinal();
    }

    private List<Instance> viewInstancesOfJob(String jobId) {
        NavigableMap<String, Instance> byId = instancesByJob.get(jobId);
        return byId == null ? List.of() : List.copyOf(byId.values());
    }

    /** Drops the oldest firings beyond {@link #CRON_RUN_HISTORY_LIMIT}, purging their finished runs. */
    private void trimCronRuns(String cronJobId, Instant time) {
        List<CronRun> kept = cronRunsByJob.get(cronJobId);
        // The newest firing always stays: it is what the next firing must be after.
        for (int i = 0; kept.size() > CRON_RUN_HISTORY_LIMIT && i < kept.size() - 1; ) {
            CronRun oldest = kept.get(i);
            Job runJob = oldest.runJobId() == null ? null : jobs.get(oldest.runJobId());
            if (runJob != null && isActiveRun(runJob, time)) {
                i++;
                continue;
            }
            kept.remove(i);
            if (runJob != null) {
                forgetRun(runJob);
            }
        }
    }

    /**
     * Forgets a cron run entirely. Unlike a purged job, its highest version need not be remembered: a run's id
     * names its scheduled time, and a cron job never fires a time again, so the id is never registered again (and
     * remembering every run ever would grow the state without end).
     */
    private void forgetRun(Job run) {
        jobs.remove(run.id());
        jobHistory.remove(run.id());
        deploymentsByJob.remove(run.id());
        highestJobVersions.remove(run.id());
    }

    private ApplyResult upsertNode(UpsertNode command) {
        Node submitted = command.node();
        Node existing = nodes.get(submitted.id());
        // A restarting agent registers again; that must not undo an operator's drain.
        NodeStatus status = existing != null && existing.status() == NodeStatus.DRAINING
                ? NodeStatus.DRAINING
                : NodeStatus.READY;
        Instant registerTime = existing != null && existing.registerTime() != null
                ? existing.registerTime()
                : command.time();
        // Eligibility, drain and conditions are the cluster's record, not the agent's: a registration keeps them.
        Node stored = new Node(submitted.id(), submitted.name(), submitted.address(), submitted.capacity(),
                submitted.labels(), submitted.drivers(), submitted.ports(), status, registerTime, command.time(),
                submitted.gpus(), existing == null ? null : existing.eligibility(),
                existing == null ? null : existing.drain(), existing == null ? List.of() : existing.conditions());
        nodes.put(stored.id(), stored);

        List<String> created = new ArrayList<>();
        if (status == NodeStatus.READY && (existing == null || existing.status() != NodeStatus.READY
                || !sameSchedulingAttributes(existing, stored))) {
            unblockEvaluations(command.commandId(), command.time(), new TreeMap<>(), created);
        }
        return new ApplyResult(index, !stored.equals(existing), 0, created,
                (existing == null ? "node " + stored.id() + " registered" : "node " + stored.id() + " updated")
                        + createdSuffix(created));
    }

    private ApplyResult setNodeStatus(SetNodeStatus command) {
        Node existing = nodes.get(command.nodeId());
        if (existing == null) {
            return ApplyResult.unchanged(index, "node not found");
        }
        // A node coming back while a drain is in progress is draining, not ready: the drain goes on.
        NodeStatus target = command.status() == NodeStatus.READY && existing.isDraining()
                ? NodeStatus.DRAINING : command.status();
        boolean statusChanged = existing.status() != target;
        if (statusChanged) {
            nodes.put(existing.id(), existing.withStatus(target, command.time()));
        }
        List<String> created = new ArrayList<>();
        int lost = 0;
        switch (target) {
            case DOWN -> {
                // Applied even when the node was already down, in case something was placed on it since.
                SortedSet<String> jobsToReschedule = new TreeSet<>();
                for (Instance instance : instancesOn(existing.id())) {
                    if (instance.state().isTerminal()) {
                        continue;
                    }
                    putInstance(instance.withState(InstanceState.LOST, NODE_DOWN_REASON, command.time())
                            .withDesired(DesiredStatus.STOP, NODE_DOWN_REASON, command.time()));
                    lost++;
                    // An instance already asked to stop needs no replacement.
                    if (instance.desired() == DesiredStatus.RUN && isRunning(instance.jobId())) {
                        jobsToReschedule.add(instance.jobId());
                    }
                }
                SortedMap<String, String> evaluationByJob = new TreeMap<>();
                for (String jobId : jobsToReschedule) {
                    created.add(createDerivedEvaluation(command.commandId(), jobId, EvaluationTrigger.NODE_UPDATE,
                            command.time(), evaluationByJob));
                }
            }
            case READY -> {
                if (statusChanged) {
                    unblockEvaluations(command.commandId(), command.time(), new TreeMap<>(), created);
                }
            }
            case DRAINING -> {
                // Moving instances off a draining node is the scheduler's and drainer's work, not apply's.
            }
        }
        boolean changed = statusChanged || lost > 0;
        String message = changed
                ? "node " + existing.id() + " " + target.wireName()
                        + (lost > 0 ? ", " + lost + " instances lost" : "") + createdSuffix(created)
                : "node " + existing.id() + " already " + target.wireName();
        return new ApplyResult(index, changed, 0, created, message);
    }

    private ApplyResult setNodeEligibility(SetNodeEligibility command) {
        Node existing = nodes.get(command.nodeId());
        if (existing == null) {
            return ApplyResult.unchanged(index, "node not found");
        }
        Node updated = existing.withEligibility(command.eligibility());
        if (command.eligibility() == NodeEligibility.ELIGIBLE && existing.isDraining()) {
            updated = endDrain(updated, command.time());
        }
        if (updated.equals(existing)) {
            return ApplyResult.unchanged(index, "node " + existing.id() + " already " + command.eligibility().wireName());
        }
        nodes.put(existing.id(), updated);
        List<String> created = new ArrayList<>();
        if (updated.placementBlocker().isEmpty()) {
            unblockEvaluations(command.commandId(), command.time(), new TreeMap<>(), created);
        }
        return new ApplyResult(index, true, 0, created, "node " + existing.id() + " "
                + command.eligibility().wireName() + (existing.isDraining() ? ", drain cancelled" : "")
                + createdSuffix(created));
    }

    private ApplyResult setNodeDrain(SetNodeDrain command) {
        Node existing = nodes.get(command.nodeId());
        if (existing == null) {
            return ApplyResult.unchanged(index, "node not found");
        }
        if (command.drain() == null) {
            if (!existing.isDraining()) {
                return ApplyResult.unchanged(index, "node " + existing.id() + " is not draining");
            }
            nodes.put(existing.id(), endDrain(existing, command.time()));
            return new ApplyResult(index, true, 0, List.of(), "node " + existing.id()
                    + " drain cancelled; it stays ineligible");
        }
        Node draining = existing.withDrain(command.drain()).withEligibility(NodeEligibility.INELIGIBLE);
        if (draining.status() == NodeStatus.READY) {
            draining = draining.withStatus(NodeStatus.DRAINING, command.time());
        }
        nodes.put(existing.id(), draining);
        // Every job with something live here is looked at again: the reconciler starts moving its instances.
        List<String> created = new ArrayList<>();
        if (!existing.isDraining()) {
            SortedMap<String, String> evaluationByJob = new TreeMap<>();
            for (String jobId : liveJobsOn(existing.id())) {
                created.add(createDerivedEvaluation(command.commandId(), jobId, EvaluationTrigger.NODE_UPDATE,
                        command.time(), evaluationByJob));
            }
        }
        return new ApplyResult(index, !draining.equals(existing), 0, created, "node " + existing.id()
                + " draining until " + command.drain().deadline() + createdSuffix(created));
    }

    private ApplyResult nodeDrainDeadline(NodeDrainDeadline command) {
        Node existing = nodes.get(command.nodeId());
        if (existing == null || !existing.isDraining()) {
            return ApplyResult.unchanged(index, "node " + command.nodeId() + " is not draining");
        }
        NodeDrain drain = existing.drain();
        nodes.put(existing.id(), existing.withDrain(new NodeDrain(drain.startTime(), drain.deadline(), true)));
        SortedSet<String> jobsToReschedule = new TreeSet<>();
        int stopped = 0;
        for (Instance instance : instancesOn(existing.id())) {
            if (!instance.isLive()) {
                continue;
            }
            putInstance(instance.withDesired(DesiredStatus.STOP, DRAIN_DEADLINE_REASON, command.time()));
            stopped++;
            if (isRunning(instance.jobId())) {
                jobsToReschedule.add(instance.jobId());
            }
        }
        List<String> created = new ArrayList<>();
        SortedMap<String, String> evaluationByJob = new TreeMap<>();
        for (String jobId : jobsToReschedule) {
            created.add(createDerivedEvaluation(command.commandId(), jobId, EvaluationTrigger.NODE_UPDATE,
                    command.time(), evaluationByJob));
        }
        return new ApplyResult(index, true, 0, created, "node " + existing.id() + " drain deadline reached, "
                + stopped + " instances stopped" + createdSuffix(created));
    }

    private ApplyResult completeNodeDrain(CompleteNodeDrain command) {
        Node existing = nodes.get(command.nodeId());
        if (existing == null || !existing.isDraining()) {
            return ApplyResult.unchanged(index, "node " + command.nodeId() + " is not draining");
        }
        // Checked again here: the drainer decided on an older state, and something may have been placed since.
        if (instancesOn(existing.id()).stream().anyMatch(instance -> !instance.state().isTerminal())) {
            return ApplyResult.unchanged(index, "node " + existing.id() + " still runs instances");
        }
        nodes.put(existing.id(), endDrain(existing, command.time()));
        return new ApplyResult(index, true, 0, List.of(), "node " + existing.id() + " drained");
    }

    private ApplyResult setNodeConditions(SetNodeConditions command) {
        Node existing = nodes.get(command.nodeId());
        if (existing == null) {
            return ApplyResult.unchanged(index, "node not found");
        }
        Node updated = existing.withConditions(command.conditions());
        if (updated.equals(existing)) {
            return ApplyResult.unchanged(index, "node " + existing.id() + " conditions unchanged");
        }
        nodes.put(existing.id(), updated);
        List<String> created = new ArrayList<>();
        if (existing.placementBlocker().isPresent() && updated.placementBlocker().isEmpty()) {
            unblockEvaluations(command.commandId(), command.time(), new TreeMap<>(), created);
        }
        return new ApplyResult(index, true, 0, created, "node " + existing.id() + " conditions updated"
                + createdSuffix(created));
    }

    /** The node without its drain: ready again if it was draining (down stays down), eligibility unchanged. */
    private static Node endDrain(Node node, Instant time) {
        Node ended = node.withDrain(null);
        return ended.status() == NodeStatus.DRAINING ? ended.withStatus(NodeStatus.READY, time) : ended;
    }

    /** The jobs with a live instance on the node, sorted. */
    private SortedSet<String> liveJobsOn(String nodeId) {
        SortedSet<String> jobIds = new TreeSet<>();
        for (Instance instance : instancesOn(nodeId)) {
            if (instance.isLive()) {
                jobIds.add(instance.jobId());
            }
        }
        return jobIds;
    }

    /** Whether a live instance of the job runs on a draining node: its readiness changes move the drain on. */
    private boolean hasInstanceOnDrainingNode(String jobId) {
        for (Instance instance : instancesByJob.getOrDefault(jobId, Collections.emptyNavigableMap()).values()) {
            Node node = nodes.get(instance.nodeId());
            if (instance.isLive() && node != null && node.isDraining()) {
                return true;
            }
        }
        return false;
    }

    private ApplyResult applyPlan(ApplyPlan command) {
        Plan plan = command.plan();
        Instant time = command.time();
        int placed = 0;
        int skipped = 0;
        for (Instance placement : plan.placements()) {
            if (instances.containsKey(placement.id()) || !nodes.containsKey(placement.nodeId())) {
                skipped++;
                continue;
            }
            putInstance(withTimes(placement, time));
            recordVolumes(placement, plan.jobId(), time);
            placed++;
        }
        int stopped = 0;
        for (InstanceStop stop : plan.stops()) {
            Instance existing = instances.get(stop.instanceId());
            if (existing == null || existing.state().isTerminal()) {
                continue;
            }
            if (existing.desired() == DesiredStatus.STOP && Objects.equals(existing.reason(), stop.reason())) {
                continue;
            }
            putInstance(existing.withDesired(DesiredStatus.STOP, stop.reason(), time));
            stopped++;
        }

        // Evicted: the resources already belong to the preemptors placed above (see Instance#holdsResources); each
        // victim's job is evaluated again so that the victims are placed elsewhere, or wait with a reason.
        int preempted = 0;
        SortedSet<String> victimJobs = new TreeSet<>();
        for (InstanceStop preemption : plan.preemptions()) {
            Instance victim = instances.get(preemption.instanceId());
            if (victim == null || !victim.holdsResources()) {
                continue;
            }
            putInstance(victim.withDesired(DesiredStatus.EVICT, preemption.reason(), time));
            preempted++;
            if (isRunning(victim.jobId()) && !victim.jobId().equals(plan.jobId())) {
                victimJobs.add(victim.jobId());
            }
        }
        List<String> created = new ArrayList<>();
        SortedMap<String, String> victimEvaluations = new TreeMap<>();
        for (String jobId : victimJobs) {
            created.add(createDerivedEvaluation(command.commandId() + ":preempted", jobId, EvaluationTrigger.PREEMPTED,
                    time, victimEvaluations));
        }
        String retryId = null;
        if (command.retryRest()) {
            retryId = createPendingEvaluation(derivedEvaluationId(command.commandId(), plan.jobId()), plan.jobId(),
                    EvaluationTrigger.PLAN_CONFLICT, time);
            created.add(retryId);
        }
        Evaluation evaluation = evaluations.get(plan.evaluationId());
        String evaluationOutcome;
        if (evaluation == null) {
            evaluationOutcome = "evaluation " + plan.evaluationId() + " not found";
        } else {
            Evaluation finished;
            if (retryId != null) {
                finished = evaluation.withStatus(EvaluationStatus.COMPLETE,
                        "plan partly rejected; retried by evaluation " + retryId, plan.failures(), time);
            } else if (plan.failures().isEmpty()) {
                finished = evaluation.withStatus(EvaluationStatus.COMPLETE, null, List.of(), time);
            } else {
                finished = evaluation.withStatus(EvaluationStatus.BLOCKED, describeFailures(plan.failures()),
                        plan.failures(), time);
            }
            updateEvaluation(finished);
            evaluationOutcome = "evaluation " + finished.id() + " " + finished.status().wireName();
            supersedeOlderEvaluations(finished, time);
        }
        String deploymentOutcome = "";
        if (plan.deployment() != null && jobs.containsKey(plan.jobId())
                && plan.deployment().jobId().equals(plan.jobId())) {
            deploymentOutcome = storeDeployment(plan.deployment(), command.commandId(), time, created);
        }
        if (plan.nextEvaluationAt() != null) {
            // Created after superseding, so this follow-up outlives the plan that asked for it.
            created.add(createPendingEvaluation(derivedEvaluationId(command.commandId() + ":reschedule", plan.jobId()),
                    plan.jobId(), EvaluationTrigger.RESCHEDULE, time, plan.nextEvaluationAt()));
        }
        boolean changed = placed > 0 || stopped > 0 || preempted > 0 || evaluation != null || !created.isEmpty()
                || !deploymentOutcome.isEmpty();
        String message = "placed " + placed + ", stopped " + stopped + (preempted > 0 ? ", preempted " + preempted : "")
                + (skipped > 0 ? ", skipped " + skipped + " placements" : "") + "; " + evaluationOutcome
                + deploymentOutcome + createdSuffix(created);
        return new ApplyResult(index, changed, plan.jobVersion(), created, message);
    }

    /** Applies each node's report in turn; at most one evaluation per job for the whole command. */
    private ApplyResult updateInstances(String commandId, Instant time, List<UpdateInstancesBatch.NodeReport> reports) {
        SortedSet<String> jobsToReschedule = new TreeSet<>();
        SortedSet<String> deploymentsToWatch = new TreeSet<>();
        SortedSet<String> batchesToContinue = new TreeSet<>();
        SortedSet<String> changedJobs = new TreeSet<>();
        int updated = 0;
        int reported = 0;
        boolean freedResources = false;
        for (UpdateInstancesBatch.NodeReport report : reports) {
            reported += report.updates().size();
            for (InstanceStatusUpdate update : report.updates()) {
                if (update == null || update.instanceId() == null) {
                    continue;
                }
                Instance existing = instances.get(update.instanceId());
                if (existing == null || !existing.nodeId().equals(report.nodeId()) || existing.state().isTerminal()) {
                    continue;
                }
                InstanceState state = update.state() == null ? existing.state() : update.state();
                // An update without task states says nothing about the tasks; keep what is known.
                Map<String, TaskState> tasks = update.tasks().isEmpty() ? existing.tasks() : update.tasks();
                if (state == existing.state() && Objects.equals(update.reason(), existing.reason())
                        && tasks.equals(existing.tasks()) && Objects.equals(update.healthy(), existing.healthy())) {
                    continue; // a repeated report: leave modify time alone so readers see no change
                }
                Instance next = existing.withTasks(state, tasks, update.reason(), time);
                // Ready as Instance.isReady() would say of the updated instance: live, running, not unhealthy.
                boolean ready = next.isLive() && state == InstanceState.RUNNING
                        && !Boolean.FALSE.equals(update.healthy());
                next = next.withHealth(update.healthy(), ready
                        ? (existing.isReady() && existing.readySince() != null ? existing.readySince() : time)
                        : null);
                putInstance(next);
                updated++;
                if (next.isReady() != existing.isReady() || state.isTerminal()
                        || !Objects.equals(next.healthy(), existing.healthy())) {
                    changedJobs.add(existing.jobId());
                }
                if (next.isReady() != existing.isReady() && (latestDeployment(existing.jobId())
                        .map(Deployment::isActive).orElse(false) || hasInstanceOnDrainingNode(existing.jobId()))) {
                    // A rolling update, and a drain, wait for exactly this: look at the job again.
                    deploymentsToWatch.add(existing.jobId());
                }
                if (state.isTerminal()) {
                    freedResources = true;
                    if (existing.desired() == DesiredStatus.RUN && isRunning(existing.jobId())
                            && needsReplacement(state, jobs.get(existing.jobId()))) {
                        jobsToReschedule.add(existing.jobId());
                    } else if (state == InstanceState.COMPLETE && existing.desired() == DesiredStatus.RUN
                            && isRunning(existing.jobId())
                            && jobs.get(existing.jobId()).batchPolicy().parallelism() > 0) {
                        // Limited parallelism: a finished instance makes room for the next index.
                        batchesToContinue.add(existing.jobId());
                    }
                }
            }
        }
        List<String> created = new ArrayList<>();
        SortedMap<String, String> evaluationByJob = new TreeMap<>();
        for (String jobId : jobsToReschedule) {
            created.add(createDerivedEvaluation(commandId, jobId, EvaluationTrigger.INSTANCE_FAILED, time,
                    evaluationByJob));
        }
        for (String jobId : deploymentsToWatch) {
            if (!evaluationByJob.containsKey(jobId) && isRunning(jobId)) {
                created.add(createDerivedEvaluation(commandId, jobId, EvaluationTrigger.DEPLOYMENT_WATCH,
                        time, evaluationByJob));
            }
        }
        for (String jobId : batchesToContinue) {
            if (!evaluationByJob.containsKey(jobId)) {
                created.add(createDerivedEvaluation(commandId, jobId, EvaluationTrigger.INSTANCE_COMPLETED, time,
                        evaluationByJob));
            }
        }
        if (!changedJobs.isEmpty()) {
            evaluateDependents(changedJobs, commandId, time, evaluationByJob, created);
        }
        if (freedResources) {
            unblockEvaluations(commandId, time, evaluationByJob, created);
        }
        return new ApplyResult(index, updated > 0, 0, created,
                "updated " + updated + " of " + reported + " instances" + createdSuffix(created));
    }

    private ApplyResult garbageCollect(GarbageCollect command) {
        int removedInstances = 0;
        for (String instanceId : command.instanceIds()) {
            if (instanceId != null && removeInstance(instanceId)) {
                removedInstances++;
            }
        }
        int removedEvaluations = 0;
        for (String evaluationId : command.evaluationIds()) {
            if (evaluationId != null && removeEvaluation(evaluationId)) {
                removedEvaluations++;
            }
        }
        return new ApplyResult(index, removedInstances + removedEvaluations > 0, 0, List.of(),
                "removed " + removedInstances + " instances and " + removedEvaluations + " evaluations");
    }

    /**
     * The first instance of a stateful group's index creates its volumes on its node; later ones find them there
     * (the scheduler only places them on that node). A size changed in the spec is recorded when the index is
     * placed again. A volume already on another node stays where its data is.
     */
    private void recordVolumes(Instance placement, String jobId, Instant time) {
        if (!placement.jobId().equals(jobId) || !jobs.containsKey(jobId)) {
            return; // only a current job keeps volumes: a purge must leave none behind
        }
        Optional<io.herd.api.Group> group = jobVersion(jobId, placement.jobVersion())
                .or(() -> Optional.ofNullable(jobs.get(jobId)))
                .flatMap(job -> job.group(placement.group()));
        if (group.isEmpty()) {
            return;
        }
        for (Volume volume : group.get().volumes()) {
            String key = StickyVolume.key(placement.app(), placement.job(), placement.group(), placement.index(),
                    volume.name());
            StickyVolume existing = volumes.get(key);
            if (existing == null || existing.nodeId().equals(placement.nodeId())
                    && existing.sizeBytes() != volume.sizeBytes()) {
                String id = existing != null ? existing.id() : key + "." + UUID.nameUUIDFromBytes(
                        (placement.id() + ":" + volume.name()).getBytes(UTF_8)).toString().substring(0, 8);
                putVolume(new StickyVolume(id, placement.app(), placement.job(), placement.group(),
                        placement.index(), volume.name(), volume.sizeBytes(), placement.nodeId(),
                        placement.nodeName(), existing == null ? time : existing.createTime()));
            }
        }
    }

    /** A purge deletes the job's volumes; the agents holding them delete the directories once unused. */
    private void removeVolumesOf(String jobId) {
        SortedMap<String, StickyVolume> ofJob = volumesByJob.remove(jobId);
        if (ofJob == null) {
            return;
        }
        for (StickyVolume volume : ofJob.values()) {
            volumes.remove(volume.key());
            SortedMap<String, StickyVolume> onNode = volumesByNode.get(volume.nodeId());
            onNode.remove(volume.key());
            if (onNode.isEmpty()) {
                volumesByNode.remove(volume.nodeId());
            }
            assignmentsChanged(volume.nodeId());
        }
    }

    /** Adds a volume, or replaces the one with its key (which stays on its node), in every index. */
    private void putVolume(StickyVolume volume) {
        volumes.put(volume.key(), volume);
        volumesByJob.computeIfAbsent(volume.jobId(), id -> new TreeMap<>()).put(volume.key(), volume);
        volumesByNode.computeIfAbsent(volume.nodeId(), id -> new TreeMap<>()).put(volume.key(), volume);
    }

    private ApplyResult promoteDeployment(PromoteDeployment command) {
        Optional<Deployment> latest = latestDeployment(command.jobId());
        if (latest.isEmpty() || !latest.get().id().equals(command.deploymentId()) || !latest.get().isActive()) {
            return ApplyResult.unchanged(index, "deployment " + command.deploymentId() + " is not active");
        }
        Map<String, DeploymentGroup> groups = new TreeMap<>();
        latest.get().groups().forEach((name, group) -> groups.put(name, group.withPromoted(true)));
        putDeployment(latest.get().withGroups(groups, command.time())
                .withStatus(DeploymentStatus.RUNNING, "promoted; deploying version " + latest.get().jobVersion(),
                        command.time()));
        String evaluationId = createPendingEvaluation(command.evaluationId(), command.jobId(),
                EvaluationTrigger.DEPLOYMENT_WATCH, command.time());
        return new ApplyResult(index, true, latest.get().jobVersion(), List.of(evaluationId),
                "deployment " + command.deploymentId() + " promoted");
    }

    private ApplyResult restartJob(RestartJob command) {
        Job job = jobs.get(command.jobId());
        if (job == null || job.stopped()) {
            return ApplyResult.unchanged(index, "job " + command.jobId() + " does not run");
        }
        cancelActiveDeployment(job.id(), "superseded by a restart", command.time());
        Map<String, DeploymentGroup> groups = new TreeMap<>();
        for (io.herd.api.Group group : job.groups()) {
            io.herd.api.UpdatePolicy policy = group.update() == null ? io.herd.api.UpdatePolicy.DEFAULT : group.update();
            groups.put(group.name(), new DeploymentGroup(group.count(), 0, true, 0, 0, 0, policy.autoRevert(),
                    command.time().plus(policy.progressDeadline())));
        }
        putDeployment(new Deployment(command.deploymentId(), job.id(), job.version(), DeploymentStatus.RUNNING,
                "restarting version " + job.version(), groups, command.time(), java.util.Set.copyOf(command.groups()),
                null, command.time(), command.time()));
        String evaluationId = createPendingEvaluation(command.evaluationId(), job.id(),
                EvaluationTrigger.DEPLOYMENT_WATCH, command.time());
        return new ApplyResult(index, true, job.version(), List.of(evaluationId),
                "job " + job.id() + " restarting in deployment " + command.deploymentId());
    }

    /**
     * Stores a deployment a plan created or advanced. When that fails it and a group asked for auto_revert, the
     * spec of the newest version whose deployment succeeded is registered again as a new version, as a rollback
     * would, and the failed deployment records which version that became.
     */
    private String storeDeployment(Deployment deployment, String commandId, Instant time, List<String> created) {
        Optional<Deployment> previous = deploymentsByJob.getOrDefault(deployment.jobId(), List.of()).stream()
                .filter(kept -> kept.id().equals(deployment.id())).findFirst();
        if (previous.isPresent() && !previous.get().isActive()) {
            return ""; // a plan made from an older snapshot never reopens a final deployment
        }
        putDeployment(deployment);
        String outcome = "; deployment " + deployment.id() + " " + deployment.status().wireName();
        boolean autoRevert = deployment.groups().values().stream().anyMatch(DeploymentGroup::autoRevert);
        if (deployment.status() != DeploymentStatus.FAILED || !autoRevert) {
            return outcome;
        }
        Job current = jobs.get(deployment.jobId());
        if (current.version() != deployment.jobVersion()) {
            return outcome;
        }
        Optional<Job> stable = deploymentsByJob.get(deployment.jobId()).reversed().stream()
                .filter(kept -> kept.status() == DeploymentStatus.SUCCESSFUL)
                .map(kept -> jobVersion(deployment.jobId(), kept.jobVersion()))
                .flatMap(Optional::stream)
                .filter(version -> !version.sameSpecAs(current))
                .findFirst();
        if (stable.isEmpty()) {
            putDeployment(deployment.withStatus(DeploymentStatus.FAILED, deployment.description()
                    + "; no earlier version deployed successfully to revert to", time));
            return outcome + ", nothing to revert to";
        }
        long version = Math.max(highestJobVersions.getOrDefault(current.id(), 0L), current.version()) + 1;
        Job reverted = stable.get().withVersion(version, time).withStopped(false);
        jobs.put(current.id(), reverted);
        rememberVersion(reverted);
        created.add(createPendingEvaluation(derivedEvaluationId(commandId + ":revert", current.id()), current.id(),
                EvaluationTrigger.JOB_REGISTER, time));
        putDeployment(deployment.withRevertedToVersion(version, deployment.description() + "; auto-reverted to version "
                + version + " (the spec of version " + stable.get().version() + ")", time));
        return outcome + ", auto-reverted to version " + version;
    }

    private Optional<Job> jobVersion(String jobId, long version) {
        NavigableMap<Long, Job> versions = jobHistory.get(jobId);
        return versions == null ? Optional.empty() : Optional.ofNullable(versions.get(version));
    }

    private Optional<Deployment> latestDeployment(String jobId) {
        List<Deployment> kept = deploymentsByJob.get(jobId);
        return kept == null || kept.isEmpty() ? Optional.empty() : Optional.of(kept.getLast());
    }

    private void cancelActiveDeployment(String jobId, String why, Instant time) {
        latestDeployment(jobId).filter(Deployment::isActive)
                .ifPresent(active -> putDeployment(active.withStatus(DeploymentStatus.CANCELLED, "cancelled: " + why,
                        time)));
    }

    /** Adds a deployment as the newest of its job, or replaces the kept one with its id in place. */
    private void putDeployment(Deployment deployment) {
        List<Deployment> kept = deploymentsByJob.computeIfAbsent(deployment.jobId(), id -> new ArrayList<>());
        for (int i = 0; i < kept.size(); i++) {
            if (kept.get(i).id().equals(deployment.id())) {
                kept.set(i, deployment);
                return;
            }
        }
        kept.add(deployment);
        while (kept.size() > DEPLOYMENT_HISTORY_LIMIT) {
            kept.removeFirst();
        }
    }

    // ---------------------------------------------------------------------------------------------- rules

    /** Whether an instance that ended in {@code state} while it should run must be replaced. */
    private static boolean needsReplacement(InstanceState state, Job job) {
        return switch (state) {
            case FAILED, LOST -> true;
            case COMPLETE -> job.type() == JobType.SERVICE;
            case PENDING, RUNNING -> false;
        };
    }

    /**
     * Jobs that wait for one of {@code changedJobs} (depends_on) and have not started their current version get an
     * evaluation once every dependency is met, which the scheduler would otherwise never be asked about again.
     */
    private void evaluateDependents(SortedSet<String> changedJobs, String commandId, Instant time,
            SortedMap<String, String> evaluationByJob, List<String> created) {
        for (Job dependent : jobs.values()) {
            if (dependent.dependsOn().isEmpty() || dependent.stopped() || dependent.type() == JobType.CRON
                    || evaluationByJob.containsKey(dependent.id())
                    || dependent.dependsOn().stream().noneMatch(dependency -> changedJobs.contains(dependency.job()))) {
                continue;
            }
            if (!Dependencies.gates(dependent, viewInstancesOfJob(dependent.id())) || !Dependencies.waitingFor(dependent, id -> Optional.ofNullable(jobs.get(id)),
                    this::viewInstancesOfJob, time).isEmpty()) {
                continue;
            }
            created.add(createDerivedEvaluation(commandId, dependent.id(), EvaluationTrigger.DEPENDENCY_MET, time,
                    evaluationByJob));
        }
    }

    /** Whether the job exists and is not stopped: only then is there anything to place for it. */
    private boolean isRunning(String jobId) {
        Job job = jobs.get(jobId);
        return job != null && !job.stopped();
    }

    private static boolean sameSchedulingAttributes(Node before, Node after) {
        return before.capacity().equals(after.capacity()) && before.labels().equals(after.labels())
                && before.drivers().equals(after.drivers()) && before.ports().equals(after.ports())
                && before.gpus().equals(after.gpus());
    }

    /**
     * Capacity appeared (a node joined or came back, resources were freed): every blocked evaluation is done,
     * and each job that had one gets a new pending evaluation, unless this command already created one for it.
     */
    private void unblockEvaluations(String commandId, Instant time, SortedMap<String, String> evaluationByJob,
            List<String> created) {
        for (String blockedId : List.copyOf(blockedEvaluations.values())) {
            Evaluation blocked = evaluations.get(blockedId);
            String successor = null;
            if (isRunning(blocked.jobId())) {
                successor = evaluationByJob.get(blocked.jobId());
                if (successor == null) {
                    successor = createDerivedEvaluation(commandId, blocked.jobId(), EvaluationTrigger.CAPACITY_CHANGED,
                            time, evaluationByJob);
                    created.add(successor);
                }
            }
            String description = successor == null
                    ? "capacity changed; job no longer runs"
                    : "capacity changed; re-evaluated by evaluation " + successor;
            updateEvaluation(blocked.withStatus(EvaluationStatus.COMPLETE, description, blocked.failures(), time));
        }
    }

    /** See the class comment: a plan for an evaluation covers every older evaluation of its job. */
    private void supersedeOlderEvaluations(Evaluation evaluation, Instant time) {
        NavigableMap<Long, String> ofJob = evaluationsByJob.get(evaluation.jobId());
        long sequence = evaluationSequences.get(evaluation.id());
        for (String olderId : List.copyOf(ofJob.headMap(sequence, false).values())) {
            Evaluation older = evaluations.get(olderId);
            if (older.status() == EvaluationStatus.PENDING || older.status() == EvaluationStatus.BLOCKED) {
                updateEvaluation(older.withStatus(EvaluationStatus.COMPLETE,
                        "superseded by evaluation " + evaluation.id(), older.failures(), time));
            }
        }
    }

    static String describeFailures(List<PlacementFailure> failures) {
        return failures.stream()
                .map(failure -> "group " + failure.group() + ": " + failure.unplaced() + " not placed ("
                        + failure.summary() + ")")
                .collect(Collectors.joining(". "));
    }

    private static String createdSuffix(List<String> created) {
        return created.isEmpty() ? "" : "; created evaluations " + String.join(", ", created);
    }

    private static Instance withTimes(Instance placement, Instant time) {
        if (placement.createTime() != null && placement.modifyTime() != null) {
            return placement;
        }
        Instant createTime = placement.createTime() == null ? time : placement.createTime();
        Instant modifyTime = placement.modifyTime() == null ? time : placement.modifyTime();
        return new Instance(placement.id(), placement.app(), placement.job(), placement.group(), placement.index(),
                placement.jobVersion(), placement.nodeId(), placement.nodeName(), placement.resources(),
                placement.ports(), placement.state(), placement.desired(), placement.reason(), placement.tasks(),
                placement.previousInstanceId(), createTime, modifyTime, placement.gpuDevices(), placement.healthy(),
                placement.readySince());
    }

    // ---------------------------------------------------------------------------------------------- bookkeeping

    private void rememberVersion(Job version) {
        NavigableMap<Long, Job> versions = jobHistory.computeIfAbsent(version.id(), id -> new TreeMap<>());
        versions.put(version.version(), version);
        while (versions.size() > JOB_HISTORY_LIMIT) {
            versions.pollFirstEntry();
        }
        highestJobVersions.merge(version.id(), version.version(), Math::max);
    }

    private void putInstance(Instance instance) {
        Instance previous = instances.put(instance.id(), instance);
        if (previous != null) {
            unindex(previous);
        }
        instancesByJob.computeIfAbsent(instance.jobId(), id -> new TreeMap<>()).put(instance.id(), instance);
        instancesByNode.computeIfAbsent(instance.nodeId(), id -> new TreeMap<>()).put(instance.id(), instance);
        assignmentsChanged(instance.nodeId());
    }

    private void assignmentsChanged(String nodeId) {
        nodeAssignmentIndexes.put(nodeId, index);
        nodesChangedByLastApply.add(nodeId);
    }

    private boolean removeInstance(String instanceId) {
        Instance removed = instances.remove(instanceId);
        if (removed == null) {
            return false;
        }
        unindex(removed);
        assignmentsChanged(removed.nodeId());
        return true;
    }

    private void unindex(Instance instance) {
        removeFromIndex(instancesByJob, instance.jobId(), instance.id());
        removeFromIndex(instancesByNode, instance.nodeId(), instance.id());
    }

    private static void removeFromIndex(SortedMap<String, NavigableMap<String, Instance>> index, String key,
            String id) {
        NavigableMap<String, Instance> byId = index.get(key);
        if (byId != null && byId.remove(id) != null && byId.isEmpty()) {
            index.remove(key);
        }
    }

    private List<Instance> instancesOn(String nodeId) {
        NavigableMap<String, Instance> byId = instancesByNode.get(nodeId);
        return byId == null ? List.of() : List.copyOf(byId.values());
    }

    /**
     * Creates the one evaluation a command makes for {@code jobId}, with an id derived from the command's id so
     * that every replica picks the same one, and records it in {@code evaluationByJob}.
     */
    private String createDerivedEvaluation(String commandId, String jobId, EvaluationTrigger trigger, Instant time,
            SortedMap<String, String> evaluationByJob) {
        String id = createPendingEvaluation(derivedEvaluationId(commandId, jobId), jobId, trigger, time);
        evaluationByJob.put(jobId, id);
        return id;
    }

    static String derivedEvaluationId(String commandId, String jobId) {
        return UUID.nameUUIDFromBytes((commandId + ":" + jobId).getBytes(UTF_8)).toString();
    }

    /**
     * Creates a pending evaluation and returns its id: {@code preferredId}, unless an evaluation already has that
     * id (a proposer reused an id); then an id derived from it and the log index, which is the same on every
     * replica.
     */
    private String createPendingEvaluation(String preferredId, String jobId, EvaluationTrigger trigger,
            Instant time) {
        return createPendingEvaluation(preferredId, jobId, trigger, time, null);
    }

    /** As above; with {@code waitUntil} set, workers leave the evaluation alone until then. */
    private String createPendingEvaluation(String preferredId, String jobId, EvaluationTrigger trigger,
            Instant time, Instant waitUntil) {
        String id = preferredId;
        while (evaluations.containsKey(id)) {
            id = UUID.nameUUIDFromBytes((id + ":" + index).getBytes(UTF_8)).toString();
        }
        String description = waitUntil == null ? null : "waiting until " + waitUntil + " to replace a failed instance";
        addEvaluation(new Evaluation(id, jobId, trigger, EvaluationStatus.PENDING, description, List.of(), time, time,
                waitUntil));
        return id;
    }

    private void addEvaluation(Evaluation evaluation) {
        long sequence = nextEvaluationSequence++;
        evaluations.put(evaluation.id(), evaluation);
        evaluationSequences.put(evaluation.id(), sequence);
        evaluationsInCreationOrder.put(sequence, evaluation.id());
        evaluationsByJob.computeIfAbsent(evaluation.jobId(), id -> new TreeMap<>()).put(sequence, evaluation.id());
        indexStatus(sequence, evaluation);
    }

    /** Replaces an existing evaluation (same id and job), keeping its place in creation order. */
    private void updateEvaluation(Evaluation evaluation) {
        long sequence = evaluationSequences.get(evaluation.id());
        evaluations.put(evaluation.id(), evaluation);
        pendingEvaluations.remove(sequence);
        blockedEvaluations.remove(sequence);
        indexStatus(sequence, evaluation);
    }

    private void indexStatus(long sequence, Evaluation evaluation) {
        switch (evaluation.status()) {
            case PENDING -> pendingEvaluations.put(sequence, evaluation.id());
            case BLOCKED -> blockedEvaluations.put(sequence, evaluation.id());
            case COMPLETE, FAILED -> {
                // not queued anywhere
            }
        }
    }

    private boolean removeEvaluation(String evaluationId) {
        Evaluation removed = evaluations.remove(evaluationId);
        if (removed == null) {
            return false;
        }
        long sequence = evaluationSequences.remove(evaluationId);
        evaluationsInCreationOrder.remove(sequence);
        pendingEvaluations.remove(sequence);
        blockedEvaluations.remove(sequence);
        NavigableMap<Long, String> ofJob = evaluationsByJob.get(removed.jobId());
        ofJob.remove(sequence);
        if (ofJob.isEmpty()) {
            evaluationsByJob.remove(removed.jobId());
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------- reads

    private final class View implements StateView {
        @Override
        public long index() {
            return index;
        }

        @Override
        public Collection<Job> jobs() {
            return List.copyOf(jobs.values());
        }

        @Override
        public Optional<Job> job(String jobId) {
            return Optional.ofNullable(jobs.get(jobId));
        }

        @Override
        public List<Job> jobVersions(String jobId) {
            NavigableMap<Long, Job> versions = jobHistory.get(jobId);
            return versions == null ? List.of() : List.copyOf(versions.descendingMap().values());
        }

        @Override
        public Optional<Job> jobVersion(String jobId, long version) {
            NavigableMap<Long, Job> versions = jobHistory.get(jobId);
            return versions == null ? Optional.empty() : Optional.ofNullable(versions.get(version));
        }

        @Override
        public Collection<Node> nodes() {
            return List.copyOf(nodes.values());
        }

        @Override
        public Optional<Node> node(String nodeId) {
            return Optional.ofNullable(nodes.get(nodeId));
        }

        @Override
        public Collection<Instance> instances() {
            return List.copyOf(instances.values());
        }

        @Override
        public Optional<Instance> instance(String id) {
            return Optional.ofNullable(instances.get(id));
        }

        @Override
        public List<Instance> instancesOfJob(String jobId) {
            NavigableMap<String, Instance> byId = instancesByJob.get(jobId);
            return byId == null ? List.of() : List.copyOf(byId.values());
        }

        @Override
        public List<Instance> instancesOnNode(String nodeId) {
            return instancesOn(nodeId);
        }

        @Override
        public long nodeAssignmentsIndex(String nodeId) {
            return Math.max(restoredIndex, nodeAssignmentIndexes.getOrDefault(nodeId, 0L));
        }

        @Override
        public Collection<Evaluation> evaluations() {
            return List.copyOf(evaluations.values());
        }

        @Override
        public Optional<Evaluation> evaluation(String id) {
            return Optional.ofNullable(evaluations.get(id));
        }

        @Override
        public List<Evaluation> evaluationsOfJob(String jobId) {
            NavigableMap<Long, String> ids = evaluationsByJob.get(jobId);
            return ids == null ? List.of() : ids.descendingMap().values().stream().map(evaluations::get).toList();
        }

        @Override
        public List<Evaluation> pendingEvaluations() {
            return pendingEvaluations.values().stream().map(evaluations::get).toList();
        }

        @Override
        public Collection<ServerRecord> servers() {
            return List.copyOf(servers.values());
        }

        @Override
        public Optional<Deployment> latestDeployment(String jobId) {
            return ClusterState.this.latestDeployment(jobId);
        }

        @Override
        public List<Deployment> deploymentsOfJob(String jobId) {
            return List.copyOf(deploymentsByJob.getOrDefault(jobId, List.of()).reversed());
        }

        @Override
        public List<Event> events(EventFilter filter, int limit) {
            return events.newest(filter, limit);
        }

        @Override
        public List<Event> eventsAfter(long sequence, EventFilter filter, int limit) {
            return events.after(sequence, filter, limit);
        }

        @Override
        public long lastEventSequence() {
            return events.lastSequence();
        }

        @Override
        public int eventCount() {
            return events.size();
        }

        @Override
        public List<EventSubscription> eventSubscriptions() {
            return events.subscriptions();
        }

        @Override
        public List<CronRun> cronRuns(String jobId) {
            return List.copyOf(cronRunsByJob.getOrDefault(jobId, List.of()).reversed());
        }

        @Override
        public List<StickyVolume> volumes() {
            return List.copyOf(volumes.values());
        }

        @Override
        public List<StickyVolume> volumesOfJob(String jobId) {
            SortedMap<String, StickyVolume> ofJob = volumesByJob.get(jobId);
            return ofJob == null ? List.of() : List.copyOf(ofJob.values());
        }

        @Override
        public List<StickyVolume> volumesOnNode(String nodeId) {
            SortedMap<String, StickyVolume> onNode = volumesByNode.get(nodeId);
            return onNode == null ? List.of() : List.copyOf(onNode.values());
        }
    }
}

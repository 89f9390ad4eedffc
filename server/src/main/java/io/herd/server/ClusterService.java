package io.herd.server;

import io.herd.api.BatchProgress;
import io.herd.api.CronRun;
import io.herd.api.Dependencies;
import io.herd.api.ErrorCode;
import io.herd.api.ErrorDetail;
import io.herd.api.Evaluation;
import io.herd.api.HerdException;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.Job;
import io.herd.api.JobSpecParser;
import io.herd.api.Node;
import io.herd.api.NodeCondition;
import io.herd.api.NodeDrain;
import io.herd.api.NodeEligibility;
import io.herd.api.NodeStatus;
import io.herd.api.wire.HeartbeatRequest;
import io.herd.api.wire.NodeDrainRequest;
import io.herd.api.wire.NodeEligibilityRequest;
import io.herd.api.wire.ClusterStatus;
import io.herd.api.wire.CronStatus;
import io.herd.api.wire.RunStatus;
import io.herd.api.wire.HeartbeatResponse;
import io.herd.api.wire.JobDiff;
import io.herd.api.wire.JobStatus;
import io.herd.api.wire.JobSummary;
import io.herd.api.wire.RegisterNodeResponse;
import io.herd.api.wire.ServerInfo;
import io.herd.api.wire.SubmitJobResponse;
import io.herd.scheduler.Scheduler;
import io.herd.scheduler.SchedulerConfig;
import io.herd.state.ApplyResult;
import io.herd.state.Command;
import io.herd.state.DeregisterJob;
import io.herd.state.RegisterJob;
import io.herd.state.SetNodeConditions;
import io.herd.state.SetNodeDrain;
import io.herd.state.SetNodeEligibility;
import io.herd.state.StateStore;
import io.herd.state.StateView;
import io.herd.state.UpsertNode;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * What the HTTP API does, without HTTP: validates input before anything is proposed (a failure inside apply
 * would be fatal, and bad input must change nothing), chooses ids and timestamps, proposes commands, and
 * answers reads from this replica's state.
 */
final class ClusterService {
    private static final int EVALUATIONS_SHOWN = 10;
    private static final int NEXT_RUNS_SHOWN = 3;
    private static final int MAX_CONDITIONS = 64;
    /** How long a drain waits for what is left (batch instances) when the operator names no deadline. */
    static final Duration DEFAULT_DRAIN_DEADLINE = Duration.ofHours(1);

    private final StateStore store;
    private final RaftNode raft;
    private final LeaderServices leader;
    private final InstantSource clock;
    private final ServerConfig config;
    private final JobDiffer differ = new JobDiffer(new Scheduler(SchedulerConfig.DEFAULT));
    private final InstanceReportBatcher reports;
    private final UsageBatcher usage;

    ClusterService(StateStore store, RaftNode raft, LeaderServices leader, InstantSource clock, ServerConfig config) {
        this.store = store;
        this.raft = raft;
        this.leader = leader;
        this.clock = clock;
        this.config = config;
        this.reports = new InstanceReportBatcher(raft::propose, clock);
        this.usage = new UsageBatcher(raft::propose, clock);
    }

    /** Stops batching agents' reports; those still waiting are answered "unavailable, retry". */
    void close() {
        reports.close();
        usage.close();
    }

    StateStore store() {
        return store;
    }

    /** Proposes a command through Raft (on the leader) and returns what applying it did. */
    ApplyResult propose(Command command) {
        return raft.propose(command);
    }

    /** The server's clock: what relative times in queries ({@code since=24h}) count back from. */
    InstantSource clock() {
        return clock;
    }

    // ---- jobs -------------------------------------------------------------------------------------------

    SubmitJobResponse submitJob(String specText) {
        Job job = JobSpecParser.parse(specText);
        store.read(view -> {
            checkNoDependencyCycle(view, job);
            return null;
        });
        String evaluationId = UUID.randomUUID().toString();
        ApplyResult result = raft.propose(new RegisterJob(job, evaluationId, clock.instant()));
        return new SubmitJobResponse(job.id(), result.jobVersion(), result.changed() ? evaluationId : null,
                result.changed(), result.index());
    }

    /** A job whose depends_on would close a cycle among the current jobs never starts: reject it up front. */
    static void checkNoDependencyCycle(StateView view, Job job) {
        java.util.Map<String, Job> jobs = new java.util.HashMap<>();
        view.jobs().forEach(existing -> jobs.put(existing.id(), existing));
        jobs.put(job.id(), job);
        Dependencies.cycle(job, jobs).ifPresent(cycle -> {
            throw new HerdException(ErrorCode.INVALID_JOB_SPEC, "depends_on of " + job.id()
                    + " would make a cycle: " + String.join(" -> ", cycle) + "; a job cannot wait for itself",
                    List.of(new ErrorDetail("depends_on", "cycle " + String.join(" -> ", cycle))));
        });
    }

    /** A cron job's schedule, next firings and kept firings, newest first. */
    CronStatus cronStatus(StateView view, String jobId) {
        Job job = view.job(jobId).orElseThrow(() -> jobNotFound(jobId));
        if (job.type() != io.herd.api.JobType.CRON || job.cron() == null) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "job " + jobId + " is a " + job.type().wireName()
                    + " job; only cron jobs have runs (herd status " + jobId + " shows its instances)");
        }
        return cronStatus(view, job, clock.instant());
    }

    static CronStatus cronStatus(StateView view, Job job, Instant now) {
        List<Instant> next = job.stopped() ? List.of()
                : job.cron().expression().nextTimes(now, job.cron().zone(), NEXT_RUNS_SHOWN);
        List<RunStatus> runs = new ArrayList<>();
        for (CronRun run : view.cronRuns(job.id())) {
            runs.add(runStatus(view, run, now));
        }
        return new CronStatus(job.id(), job.cron().schedule(), job.cron().timeZone(), next, runs);
    }

    private static RunStatus runStatus(StateView view, CronRun run, Instant now) {
        return switch (run.outcome()) {
            case SKIPPED, MISSED -> new RunStatus(run.scheduledTime(), run.outcome().wireName(), null, run.reason(),
                    null, null, null, 0);
            case STARTED -> {
                Optional<Job> runJob = view.job(run.runJobId());
                if (runJob.isEmpty()) {
                    yield new RunStatus(run.scheduledTime(), "purged", run.runJobId(), run.reason(), null, null, null,
                            0);
                }
                BatchProgress progress = BatchProgress.of(runJob.get(), view.instancesOfJob(run.runJobId()), now);
                String state = runJob.get().stopped() && !progress.state().isFinal() ? "stopped"
                        : progress.state().wireName();
                Instant end = progress.finishTime() != null ? progress.finishTime() : now;
                java.time.Duration duration = progress.startTime() == null ? null
                        : java.time.Duration.between(progress.startTime(), end);
                String reason = progress.reason() != null ? progress.reason() : run.reason();
                yield new RunStatus(run.scheduledTime(), state, run.runJobId(), reason, progress.startTime(),
                        progress.finishTime(), duration, progress.attempts());
            }
        };
    }

    SubmitJobResponse stopJob(String jobId, boolean purge) {
        Job job = store.read(view -> view.job(jobId)).orElseThrow(() -> jobNotFound(jobId));
        String evaluationId = UUID.randomUUID().toString();
        ApplyResult result = raft.propose(new DeregisterJob(jobId, purge, evaluationId, clock.instant()));
        return new SubmitJobResponse(jobId, job.version(), evaluationId, result.changed(), result.index());
    }

    List<JobSummary> listJobs(StateView view) {
        return view.jobs().stream()
                .sorted(Comparator.comparing(Job::id))
                .map(job -> summarize(job, view.instancesOfJob(job.id()), clock.instant()))
                .toList();
    }

    static JobSummary summarize(Job job, List<Instance> instances, Instant now) {
        // A cron job places nothing itself: its runs are batch jobs of their own.
        int desired = job.stopped() || job.type() == io.herd.api.JobType.CRON ? 0
                : job.groups().stream().mapToInt(group -> group.count()).sum();
        int running = 0;
        int pending = 0;
        int failed = 0;
        for (Instance instance : instances) {
            if (instance.isLive() && instance.state() == InstanceState.RUNNING) {
                running++;
            } else if (instance.isLive() && instance.state() == InstanceState.PENDING) {
                pending++;
            } else if (instance.state() == InstanceState.FAILED) {
                failed++;
            }
        }
        return new JobSummary(job.id(), job.app(), job.name(), job.type(), job.priority(), job.version(), job.stopped(),
                desired, running, pending, failed,
                job.type() == io.herd.api.JobType.BATCH ? BatchProgress.of(job, instances, now).state() : null);
    }

    JobStatus jobStatus(StateView view, String jobId) {
        Job job = view.job(jobId).orElseThrow(() -> jobNotFound(jobId));
        List<Instance> instances = new ArrayList<>(view.instancesOfJob(jobId));
        instances.sort(Comparator.comparing(Instance::group).thenComparingInt(Instance::index)
                .thenComparing(Instance::createTime, Comparator.nullsFirst(Comparator.reverseOrder())));
        List<Evaluation> evaluations = view.evaluationsOfJob(jobId).stream().limit(EVALUATIONS_SHOWN).toList();
        Instant now = clock.instant();
        BatchProgress batch = job.type() == io.herd.api.JobType.BATCH ? BatchProgress.of(job, instances, now) : null;
        List<String> waitingFor = Dependencies.gates(job, instances) && !job.stopped()
                ? Dependencies.waitingFor(job, view::job, view::instancesOfJob, now) : List.of();
        CronStatus cron = job.type() == io.herd.api.JobType.CRON && job.cron() != null
                ? cronStatus(view, job, now) : null;
        return new JobStatus(job, instances, evaluations, view.latestDeployment(jobId).orElse(null), 0, batch,
                waitingFor, cron, view.volumesOfJob(jobId));
    }

    /** The sticky volumes of a job ({@code app/job}) or on a node, or all of them when neither is given. */
    List<io.herd.api.StickyVolume> listVolumes(StateView view, String jobId, String nodeId) {
        List<io.herd.api.StickyVolume> volumes;
        if (jobId != null && !jobId.isBlank()) {
            volumes = view.volumesOfJob(jobId);
        } else if (nodeId != null && !nodeId.isBlank()) {
            volumes = view.volumesOnNode(nodeId);
        } else {
            volumes = view.volumes();
        }
        if (nodeId != null && !nodeId.isBlank()) {
            volumes = volumes.stream().filter(volume -> volume.nodeId().equals(nodeId)).toList();
        }
        return volumes;
    }

    Job jobVersion(StateView view, String jobId, String versionText) {
        long version;
        try {
            version = Long.parseLong(versionText);
        } catch (NumberFormatException e) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "a job version is a whole number, got " + versionText);
        }
        return view.jobVersion(jobId, version).orElseThrow(() -> new HerdException(ErrorCode.JOB_NOT_FOUND,
                "job " + jobId + " has no version " + version + " (it may be older than the versions kept)"));
    }

    /** Every kept version of a job, newest first. */
    List<Job> jobVersions(StateView view, String jobId) {
        if (view.job(jobId).isEmpty()) {
            throw jobNotFound(jobId);
        }
        return view.jobVersions(jobId);
    }

    /**
     * Submits the spec of a kept version again, as a new version (the history only grows); {@code toVersion} null
     * means the version before the current one. When that spec is the current one nothing changes.
     */
    SubmitJobResponse rollbackJob(String jobId, Long toVersion) {
        Job target = store.read(view -> {
            Job current = view.job(jobId).orElseThrow(() -> jobNotFound(jobId));
            List<Job> versions = view.jobVersions(jobId);
            String kept = versions.stream().map(version -> Long.toString(version.version()))
                    .collect(Collectors.joining(", "));
            if (toVersion == null) {
                if (versions.size() < 2) {
                    throw new HerdException(ErrorCode.JOB_NOT_FOUND, "job " + jobId + " has no version before version "
                            + current.version() + " to roll back to (versions kept: " + kept + ")");
                }
                return versions.get(1);
            }
            return view.jobVersion(jobId, toVersion).orElseThrow(() -> new HerdException(ErrorCode.JOB_NOT_FOUND,
                    "job " + jobId + " has no version " + toVersion + "; the versions kept are " + kept));
        });
        String evaluationId = UUID.randomUUID().toString();
        Job spec = target.withVersion(0, null).withStopped(false);
        store.read(view -> {
            checkNoDependencyCycle(view, spec);
            return null;
        });
        ApplyResult result = raft.propose(new RegisterJob(spec, evaluationId, clock.instant()));
        return new SubmitJobResponse(jobId, result.jobVersion(), result.changed() ? evaluationId : null,
                result.changed(), result.index());
    }

    /**
     * Registers a new version whose group {@code groupName} has {@code count} instances; the running instances
     * stay (a count needs no restart).
     */
    SubmitJobResponse scaleJob(String jobId, String groupName, Integer count) {
        if (groupName == null || groupName.isBlank()) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "group is required, e.g. {\"group\": \"web\", \"count\": 5}");
        }
        if (count == null || count < 0 || count > 10_000) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "count must be between 0 and 10000, got " + count);
        }
        Job current = store.read(view -> view.job(jobId)).orElseThrow(() -> jobNotFound(jobId));
        if (current.group(groupName).isEmpty()) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "job " + jobId + " has no group " + groupName
                    + " (groups: " + current.groups().stream().map(io.herd.api.Group::name)
                    .collect(Collectors.joining(", ")) + ")");
        }
        List<io.herd.api.Group> groups = current.groups().stream()
                .map(group -> group.name().equals(groupName) ? group.withCount(count) : group).toList();
        Job spec = new Job(current.name(), current.app(), current.type(), current.priority(), current.constraints(),
                current.affinities(), groups, 0, null, false, current.batch(), current.cron(), current.dependsOn());
        String evaluationId = UUID.randomUUID().toString();
        ApplyResult result = raft.propose(new RegisterJob(spec, evaluationId, clock.instant()));
        return new SubmitJobResponse(jobId, result.jobVersion(), result.changed() ? evaluationId : null,
                result.changed(), result.index());
    }

    /** The kept deployments of a job, newest first. */
    List<io.herd.api.Deployment> deployments(StateView view, String jobId) {
        if (view.job(jobId).isEmpty()) {
            throw jobNotFound(jobId);
        }
        return view.deploymentsOfJob(jobId);
    }

    /** Starts a rolling restart of the current version's instances (of {@code groups}; empty: all). */
    io.herd.api.wire.DeploymentResponse restartJob(String jobId, List<String> groups) {
        Job current = store.read(view -> view.job(jobId)).orElseThrow(() -> jobNotFound(jobId));
        if (current.stopped()) {
            throw new HerdException(ErrorCode.CONFLICT, "job " + jobId + " is stopped; 'herd up' starts it again");
        }
        if (current.type() != io.herd.api.JobType.SERVICE) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "only a service can be restarted; job " + jobId
                    + " is a " + current.type().name().toLowerCase(java.util.Locale.ROOT) + " job");
        }
        for (String group : groups) {
            if (current.group(group).isEmpty()) {
                throw new HerdException(ErrorCode.INVALID_ARGUMENT, "job " + jobId + " has no group " + group);
            }
        }
        String deploymentId = UUID.randomUUID().toString();
        ApplyResult result = raft.propose(new io.herd.state.RestartJob(jobId, groups, deploymentId,
                UUID.randomUUID().toString(), clock.instant()));
        if (!result.changed()) {
            throw new HerdException(ErrorCode.CONFLICT, "job " + jobId + " cannot be restarted: " + result.message());
        }
        io.herd.api.Deployment deployment = store.read(view -> view.latestDeployment(jobId)).orElse(null);
        return new io.herd.api.wire.DeploymentResponse(jobId, current.version(), deployment, result.index());
    }

    /** Promotes the canaries of the job's active deployment. */
    io.herd.api.wire.DeploymentResponse promoteJob(String jobId) {
        io.herd.api.Deployment active = store.read(view -> {
            view.job(jobId).orElseThrow(() -> jobNotFound(jobId));
            return view.latestDeployment(jobId).filter(io.herd.api.Deployment::isActive).orElseThrow(() ->
                    new HerdException(ErrorCode.CONFLICT, "job " + jobId + " has no deployment in progress to promote"));
        });
        if (active.groups().values().stream().allMatch(io.herd.api.DeploymentGroup::promoted)) {
            throw new HerdException(ErrorCode.CONFLICT, "the deployment of version " + active.jobVersion()
                    + " of job " + jobId + " has no canaries waiting for a promotion");
        }
        ApplyResult result = raft.propose(new io.herd.state.PromoteDeployment(jobId, active.id(),
                UUID.randomUUID().toString(), clock.instant()));
        if (!result.changed()) {
            throw new HerdException(ErrorCode.CONFLICT, "cannot promote: " + result.message());
        }
        io.herd.api.Deployment deployment = store.read(view -> view.latestDeployment(jobId)).orElse(active);
        return new io.herd.api.wire.DeploymentResponse(jobId, active.jobVersion(), deployment, result.index());
    }

    /** A diff and the state index it was computed at. */
    record IndexedDiff(JobDiff diff, long index) {}

    /** What submitting the spec would do, from this replica's state; proposes nothing. */
    IndexedDiff diffJob(String specText) {
        Job candidate = JobSpecParser.parse(specText);
        Instant now = clock.instant();
        return store.read(view -> new IndexedDiff(differ.diff(view, candidate, now, ThreadLocalRandom.current()),
                view.index()));
    }

    // ---- instances ----------------------------------------------------------------------------------------

    List<Instance> listInstances(StateView view, String jobId, String nodeId) {
        List<Instance> instances;
        if (jobId != null) {
            instances = view.instancesOfJob(jobId);
        } else if (nodeId != null) {
            instances = view.instancesOnNode(nodeId);
        } else {
            instances = List.copyOf(view.instances());
        }
        return instances.stream()
                .filter(instance -> nodeId == null || instance.nodeId().equals(nodeId))
                .sorted(Comparator.comparing(Instance::jobId).thenComparing(Instance::group).thenComparingInt(Instance::index))
                .toList();
    }

    /** An instance by exact id or unique prefix. */
    static Instance findInstance(StateView view, String idOrPrefix) {
        Optional<Instance> exact = view.instance(idOrPrefix);
        if (exact.isPresent()) {
            return exact.get();
        }
        List<Instance> matches = view.instances().stream().filter(instance -> instance.id().startsWith(idOrPrefix)).toList();
        if (matches.isEmpty() || idOrPrefix.isEmpty()) {
            throw new HerdException(ErrorCode.INSTANCE_NOT_FOUND, "no instance with id or id prefix " + idOrPrefix
                    + "; see 'herd status JOB' for instance ids");
        }
        if (matches.size() > 1) {
            throw new HerdException(ErrorCode.AMBIGUOUS_ID, "id prefix " + idOrPrefix + " matches " + matches.size()
                    + " instances (" + String.join(", ", matches.stream().limit(5).map(i -> i.id().substring(0, Math.min(12, i.id().length())) + " " + i.name()).toList())
                    + "); give more characters");
        }
        return matches.getFirst();
    }

    // ---- nodes --------------------------------------------------------------------------------------------

    List<Node> listNodes(StateView view) {
        return view.nodes().stream().sorted(Comparator.comparing(Node::name).thenComparing(Node::id)).toList();
    }

    static Node findNode(StateView view, String idOrName) {
        Optional<Node> exact = view.node(idOrName);
        if (exact.isPresent()) {
            return exact.get();
        }
        List<Node> matches = view.nodes().stream()
                .filter(node -> node.name().equals(idOrName) || node.id().startsWith(idOrName)).toList();
        if (matches.size() == 1) {
            return matches.getFirst();
        }
        if (matches.isEmpty()) {
            throw new HerdException(ErrorCode.NODE_NOT_FOUND, "no node with id, id prefix or name " + idOrName
                    + "; see 'herd nodes'");
        }
        throw new HerdException(ErrorCode.AMBIGUOUS_ID, idOrName + " matches " + matches.size() + " nodes; give the node id");
    }

    RegisterNodeResponse registerNode(Node node) {
        List<ErrorDetail> problems = new ArrayList<>();
        if (node == null) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "the body must be {\"node\": {...}}");
        }
        if (node.id().isBlank()) {
            problems.add(new ErrorDetail("node.id", "must not be empty"));
        }
        if (node.name().isBlank()) {
            problems.add(new ErrorDetail("node.name", "must not be empty"));
        }
        if (node.address() == null || node.address().isBlank()) {
            problems.add(new ErrorDetail("node.address", "must be the agent's host:port"));
        }
        if (node.capacity().cpuMillis() < 0 || node.capacity().memoryBytes() < 0 || node.capacity().diskBytes() < 0) {
            problems.add(new ErrorDetail("node.capacity", "must not be negative"));
        }
        if (!problems.isEmpty()) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "invalid node registration", problems);
        }
        Node ready = node.withStatus(NodeStatus.READY, clock.instant());
        ApplyResult result = raft.propose(new UpsertNode(ready, UUID.randomUUID().toString(), clock.instant()));
        leader.liveness().ifPresent(liveness -> liveness.registered(node.id()));
        return new RegisterNodeResponse(node.id(), config.heartbeatInterval(), result.index());
    }

    HeartbeatResponse heartbeat(String nodeId) {
        return heartbeat(nodeId, HeartbeatRequest.UNCHANGED);
    }

    /**
     * A heartbeat, which stays off the Raft log (liveness is tracked in memory) unless the node comes back from
     * down or the agent reports conditions that differ from the stored ones: an agent sends them only when they
     * changed, and only a real difference is proposed.
     */
    HeartbeatResponse heartbeat(String nodeId, HeartbeatRequest request) {
        NodeLiveness liveness = leader.liveness().orElseThrow(() -> new HerdException(ErrorCode.NO_LEADER,
                "this server is not the leader yet; retry"));
        Optional<Node> node = store.node(nodeId);
        if (node.isEmpty()) {
            return new HeartbeatResponse(false, null);
        }
        // Liveness first: a report the server refuses must not also make the node look silent.
        HeartbeatResponse response = new HeartbeatResponse(true, liveness.heartbeat(node.get()));
        if (request != null && request.conditions() != null) {
            List<NodeCondition> conditions = validConditions(request.conditions());
            if (!conditions.equals(node.get().conditions())) {
                raft.propose(new SetNodeConditions(nodeId, conditions, UUID.randomUUID().toString(), clock.instant()));
            }
        }
        return response;
    }

    private static List<NodeCondition> validConditions(List<NodeCondition> conditions) {
        List<ErrorDetail> problems = new ArrayList<>();
        java.util.Set<String> types = new java.util.HashSet<>();
        for (int i = 0; i < conditions.size(); i++) {
            NodeCondition condition = conditions.get(i);
            if (condition == null || condition.type().isBlank()) {
                problems.add(new ErrorDetail("conditions[" + i + "].type", "must not be empty"));
            } else if (!types.add(condition.type())) {
                problems.add(new ErrorDetail("conditions[" + i + "].type", "reported twice: " + condition.type()));
            } else if (condition.since() == null) {
                problems.add(new ErrorDetail("conditions[" + i + "].since", "must be when the status last changed"));
            }
        }
        if (conditions.size() > MAX_CONDITIONS) {
            problems.add(new ErrorDetail("conditions", "at most " + MAX_CONDITIONS + " conditions"));
        }
        if (!problems.isEmpty()) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "invalid node conditions", problems);
        }
        // Sorted as the node stores them, so that an unchanged report compares equal.
        return conditions.stream().sorted(Comparator.comparing(NodeCondition::type)).toList();
    }

    /** Turns new placements on a node on or off; on also cancels a drain in progress. */
    Node setNodeEligibility(String idOrName, NodeEligibilityRequest request) {
        if (request == null || request.eligible() == null) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "the body must be {\"eligible\": true|false}");
        }
        Node node = store.read(view -> findNode(view, idOrName));
        raft.propose(new SetNodeEligibility(node.id(), request.eligible()
                ? NodeEligibility.ELIGIBLE : NodeEligibility.INELIGIBLE, UUID.randomUUID().toString(), clock.instant()));
        return store.read(view -> findNode(view, node.id()));
    }

    /** Starts a drain (or moves its deadline), or cancels it. */
    Node drainNode(String idOrName, NodeDrainRequest request) {
        NodeDrainRequest body = request == null ? new NodeDrainRequest(null, null) : request;
        Node node = store.read(view -> findNode(view, idOrName));
        Instant now = clock.instant();
        if (Boolean.TRUE.equals(body.cancel())) {
            if (body.deadline() != null) {
                throw new HerdException(ErrorCode.INVALID_ARGUMENT, "give either a deadline or cancel, not both");
            }
            if (!node.isDraining()) {
                throw new HerdException(ErrorCode.CONFLICT, "node " + node.name() + " is not draining");
            }
            raft.propose(new SetNodeDrain(node.id(), null, UUID.randomUUID().toString(), now));
        } else {
            Duration deadline = body.deadline() == null ? DEFAULT_DRAIN_DEADLINE
                    : io.herd.api.Quantities.parseDuration(body.deadline())
                            .filter(duration -> !duration.isNegative())
                            .orElseThrow(() -> new HerdException(ErrorCode.INVALID_ARGUMENT,
                                    "invalid drain deadline " + body.deadline() + "; give a duration such as 10m or 1h",
                                    List.of(new ErrorDetail("deadline", "must be a duration such as 10m"))));
            if (node.status() == NodeStatus.DOWN) {
                throw new HerdException(ErrorCode.CONFLICT, "node " + node.name()
                        + " is down: its instances are already lost and replaced; turn it off with 'herd node eligibility "
                        + node.name() + " off' instead");
            }
            Instant start = node.isDraining() ? node.drain().startTime() : now;
            raft.propose(new SetNodeDrain(node.id(), new NodeDrain(start, now.plus(deadline), false),
                    UUID.randomUUID().toString(), now));
        }
        return store.read(view -> findNode(view, node.id()));
    }

    void reportInstances(String nodeId, List<InstanceStatusUpdate> updates) {
        if (updates == null) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "the body must be a list of instance status updates");
        }
        List<ErrorDetail> problems = new ArrayList<>();
        for (int i = 0; i < updates.size(); i++) {
            InstanceStatusUpdate update = updates.get(i);
            if (update == null || update.instanceId() == null || update.state() == null) {
                problems.add(new ErrorDetail("[" + i + "]", "needs instance_id and state"));
            }
        }
        if (!problems.isEmpty()) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "invalid instance status report", problems);
        }
        if (store.node(nodeId).isEmpty()) {
            throw new HerdException(ErrorCode.NODE_NOT_FOUND, "unknown node " + nodeId + "; register first");
        }
        if (!updates.isEmpty()) {
            reports.report(nodeId, updates);
        }
    }

    /**
     * Queues an agent's usage report for the next {@link io.herd.state.RecordUsage} (on the leader): each sample
     * gets this server's time and the labels of its instance and node as the state has them now. Samples of
     * instances not on the node are ignored (a report racing a stop). Returns how many samples were queued; none
     * when the history is off ({@code --usage-retention 0}).
     */
    int recordUsage(String nodeId, io.herd.api.wire.UsageReport report) {
        if (report == null) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "the body must be a usage report {\"node\":..,\"tasks\":[..]}");
        }
        List<ErrorDetail> problems = new ArrayList<>();
        if (report.node() != null && !validUsage(report.node().cpuCores(), report.node().memoryBytes())) {
            problems.add(new ErrorDetail("node", "cpu_cores and memory_bytes must be finite and not negative"));
        }
        for (int i = 0; i < report.tasks().size(); i++) {
            io.herd.api.wire.UsageReport.TaskSample task = report.tasks().get(i);
            if (task == null || task.instanceId() == null || task.task() == null) {
                problems.add(new ErrorDetail("tasks[" + i + "]", "needs instance_id and task"));
            } else if (!validUsage(task.cpuCores(), task.memoryBytes())) {
                problems.add(new ErrorDetail("tasks[" + i + "]", "cpu_cores and memory_bytes must be finite and not negative"));
            }
        }
        if (!problems.isEmpty()) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "invalid usage report", problems);
        }
        Node node = store.node(nodeId).orElseThrow(() -> new HerdException(ErrorCode.NODE_NOT_FOUND,
                "unknown node " + nodeId + "; register first"));
        if (!store.usage().enabled()) {
            return 0;
        }
        long now = clock.instant().getEpochSecond();
        List<io.herd.state.usage.UsageReading> readings = new ArrayList<>();
        if (report.node() != null) {
            readings.add(new io.herd.state.usage.UsageReading(new io.herd.state.usage.UsageSource(
                    io.herd.state.usage.UsageSource.NODE, node.id(), Map.of("node", node.id(), "node_name", node.name())),
                    now, Math.round(report.node().cpuCores() * 1000), report.node().memoryBytes()));
        }
        Map<String, Instance> instances = new java.util.HashMap<>();
        // published after each apply: read without the state lock
        store.nodeAssignments(nodeId).instances().forEach(instance -> instances.put(instance.id(), instance));
        for (io.herd.api.wire.UsageReport.TaskSample task : report.tasks()) {
            Instance instance = instances.get(task.instanceId());
            if (instance == null) {
                continue;
            }
            Map<String, String> labels = Map.of("app", instance.app(), "job", instance.job(), "group", instance.group(),
                    "instance", instance.id(), "instance_name", instance.name(), "task", task.task(),
                    "node", node.id(), "node_name", node.name());
            readings.add(new io.herd.state.usage.UsageReading(new io.herd.state.usage.UsageSource(
                    io.herd.state.usage.UsageSource.TASK, instance.id() + "/" + task.task(), labels), now,
                    Math.round(task.cpuCores() * 1000), task.memoryBytes()));
        }
        return usage.add(readings);
    }

    private static boolean validUsage(double cpuCores, long memoryBytes) {
        return Double.isFinite(cpuCores) && cpuCores >= 0 && cpuCores < 1e9 && memoryBytes >= 0;
    }

    // ---- status -------------------------------------------------------------------------------------------

    ClusterStatus status(StateView view) {
        Optional<String> leaderId = raft.leaderId();
        List<ServerInfo> servers = view.servers().stream()
                .sorted(Comparator.comparing(server -> server.id()))
                .map(server -> new ServerInfo(server.id(), server.raftAddress(), server.httpAddress(),
                        leaderId.map(server.id()::equals).orElse(false)))
                .toList();
        String leaderHttp = leaderId.flatMap(id -> view.servers().stream().filter(server -> server.id().equals(id))
                .findFirst().map(server -> server.httpAddress())).orElse(null);
        return new ClusterStatus(raft.selfId(), leaderId.orElse(null), leaderHttp, view.index(), servers);
    }

    /** The HTTP address of the leader when it is another server; empty when this server leads or none is known. */
    Optional<String> leaderHttpAddress() {
        Optional<String> leaderId = raft.leaderId();
        if (leaderId.isEmpty() || leaderId.get().equals(raft.selfId())) {
            return Optional.empty();
        }
        return store.read(view -> view.servers().stream().filter(server -> server.id().equals(leaderId.get()))
                .findFirst().map(server -> server.httpAddress()));
    }

    boolean isReadyLeader() {
        return raft.isReadyLeader();
    }

    private static HerdException jobNotFound(String jobId) {
        return new HerdException(ErrorCode.JOB_NOT_FOUND, "no job " + jobId + "; list jobs with 'herd status'");
    }
}

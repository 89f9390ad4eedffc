package io.herd.state;

import io.herd.api.BatchProgress;
import io.herd.api.ConditionStatus;
import io.herd.api.Deployment;
import io.herd.api.DeploymentStatus;
import io.herd.api.DesiredStatus;
import io.herd.api.Event;
import io.herd.api.EventLevel;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.InstanceStop;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.api.NodeCondition;
import io.herd.api.NodeEligibility;
import io.herd.api.NodeStatus;
import io.herd.api.PlacementFailure;
import io.herd.api.Plan;
import io.herd.api.TaskState;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Derives events from the commands {@link ClusterState} applies: before a command it captures what the command
 * may touch ({@link #capture}), after it compares that with the new state and records what changed
 * ({@link #record}). Everything it uses comes from the command and the state, the time included, so every
 * replica derives the same events and ingesting them costs no Raft entries of their own.
 *
 * <p>Reasons: jobs {@code Registered}, {@code Stopped}, {@code FailedScheduling}; instances {@code Scheduled},
 * {@code Started}, {@code Completed}, {@code Failed}, {@code OOMKilled}, {@code Restarted}, {@code Killing},
 * {@code Killed}, {@code Preempted}, {@code Lost}; nodes {@code Registered}, {@code NodeReady}, {@code NodeDown},
 * {@code NodeDraining}, {@code NodeDrained}, {@code NodeDrainCancelled}, {@code NodeDrainDeadline},
 * {@code NodeEligibility}, {@code NodeConditionChanged} (Warning when a problem appears, Normal when it clears);
 * instances moved off a draining node {@code Migrated}; deployments (job events) {@code DeploymentStarted},
 * {@code DeploymentPaused}, {@code Promoted}, {@code DeploymentSucceeded}, {@code DeploymentFailed},
 * {@code DeploymentCancelled}, {@code AutoReverted}; jobs {@code GarbageCollected} when a collection removed
 * finished instances; instances
 * {@code Unhealthy} when a running instance's health check starts failing.
 */
final class EventRecorder {
    private EventRecorder() {}

    /**
     * What a command may change, as it was before: instances by id (null for ones that did not exist), a node, and
     * the kept deployments of the job it is about, by id.
     */
    record Before(Map<String, Instance> instances, Node node, String jobId, Map<String, Deployment> deployments) {
        static final Before NOTHING = new Before(Map.of(), null, null, Map.of());

        Before(Map<String, Instance> instances, Node node) {
            this(instances, node, null, Map.of());
        }

        Before withDeployments(String newJobId, StateView state) {
            Map<String, Deployment> byId = new LinkedHashMap<>();
            for (Deployment deployment : state.deploymentsOfJob(newJobId)) {
                byId.put(deployment.id(), deployment);
            }
            return new Before(instances, node, newJobId, byId);
        }
    }

    static Before capture(Command command, StateView state) {
        return switch (command) {
            case ApplyPlan apply -> {
                Plan plan = apply.plan();
                Map<String, Instance> touched = new LinkedHashMap<>();
                for (Instance placement : plan.placements()) {
                    touched.put(placement.id(), state.instance(placement.id()).orElse(null));
                }
                for (InstanceStop stop : plan.stops()) {
                    touched.put(stop.instanceId(), state.instance(stop.instanceId()).orElse(null));
                }
                for (InstanceStop preemption : plan.preemptions()) {
                    touched.put(preemption.instanceId(), state.instance(preemption.instanceId()).orElse(null));
                }
                yield new Before(touched, null).withDeployments(plan.jobId(), state);
            }
            case UpdateInstances update -> {
                Map<String, Instance> touched = new LinkedHashMap<>();
                for (InstanceStatusUpdate status : update.updates()) {
                    if (status != null && status.instanceId() != null) {
                        touched.put(status.instanceId(), state.instance(status.instanceId()).orElse(null));
                    }
                }
                yield new Before(touched, null);
            }
            case SetNodeStatus status -> {
                Map<String, Instance> touched = new LinkedHashMap<>();
                for (Instance instance : state.instancesOnNode(status.nodeId())) {
                    touched.put(instance.id(), instance);
                }
                yield new Before(touched, state.node(status.nodeId()).orElse(null));
            }
            case UpdateInstancesBatch batch -> {
                Map<String, Instance> touched = new LinkedHashMap<>();
                for (UpdateInstancesBatch.NodeReport report : batch.reports()) {
                    for (InstanceStatusUpdate status : report.updates()) {
                        if (status != null && status.instanceId() != null) {
                            touched.put(status.instanceId(), state.instance(status.instanceId()).orElse(null));
                        }
                    }
                }
                yield new Before(touched, null);
            }
            case PromoteDeployment promote -> Before.NOTHING.withDeployments(promote.jobId(), state);
            case RestartJob restart -> Before.NOTHING.withDeployments(restart.jobId(), state);
            case UpsertNode upsert -> new Before(Map.of(), state.node(upsert.node().id()).orElse(null));
            case RegisterServer ignored -> Before.NOTHING;
            case RegisterJob ignored -> Before.NOTHING;
            case DeregisterJob ignored -> Before.NOTHING;
            case GarbageCollect collect -> {
                Map<String, Instance> touched = new LinkedHashMap<>();
                for (String instanceId : collect.instanceIds()) {
                    if (instanceId != null) {
                        state.instance(instanceId).ifPresent(instance -> touched.put(instanceId, instance));
                    }
                }
                yield new Before(touched, null);
            }
            case SubscribeEvents ignored -> Before.NOTHING;
            case UnsubscribeEvents ignored -> Before.NOTHING;
            case AckEvents ignored -> Before.NOTHING;
            case RecordUsage ignored -> Before.NOTHING;
            case FireCron ignored -> Before.NOTHING;
            case SetNodeEligibility eligibility -> new Before(Map.of(), state.node(eligibility.nodeId()).orElse(null));
            case SetNodeDrain drain -> new Before(Map.of(), state.node(drain.nodeId()).orElse(null));
            case CompleteNodeDrain complete -> new Before(Map.of(), state.node(complete.nodeId()).orElse(null));
            case SetNodeConditions conditions -> new Before(Map.of(), state.node(conditions.nodeId()).orElse(null));
            case NodeDrainDeadline deadline -> {
                Map<String, Instance> touched = new LinkedHashMap<>();
                for (Instance instance : state.instancesOnNode(deadline.nodeId())) {
                    touched.put(instance.id(), instance);
                }
                yield new Before(touched, state.node(deadline.nodeId()).orElse(null));
            }
        };
    }

    /** How the scheduler's drain migration words the reason of an instance it stops (see DrainMigration). */
    static final String MIGRATED_PREFIX = "migrated to node ";

    static void record(Command command, Before before, StateView after, ApplyResult result, EventLog events) {
        switch (command) {
            case RegisterJob register -> {
                if (result.changed()) {
                    Job job = register.job();
                    events.record(jobEvent(EventLevel.NORMAL, "Registered", job.app(), job.name(),
                            "version " + result.jobVersion() + " registered"), register.time());
                }
            }
            case DeregisterJob deregister -> {
                if (result.changed()) {
                    String[] appAndJob = splitJobId(deregister.jobId());
                    events.record(jobEvent(EventLevel.NORMAL, "Stopped", appAndJob[0], appAndJob[1],
                            deregister.purge() ? "job stopped and purged" : "job stopped"), deregister.time());
                }
            }
            case ApplyPlan apply -> {
                instanceTransitions(before, after, events, apply);
                Plan plan = apply.plan();
                if (!plan.failures().isEmpty() && !apply.retryRest()) {
                    String[] appAndJob = splitJobId(plan.jobId());
                    for (PlacementFailure failure : plan.failures()) {
                        String message = "group " + failure.group() + ": " + failure.unplaced() + " not placed ("
                                + failure.summary() + ")"
                                + failure.preemptionSummary().map(text -> "; " + text).orElse("");
                        events.record(new EventLog.Draft(EventLevel.WARNING, "FailedScheduling", Event.JOB,
                                jobObject(appAndJob[0], appAndJob[1]), message, appAndJob[0], appAndJob[1],
                                failure.group(), null, null, null), apply.time());
                    }
                }
                deploymentTransitions(before, after, events, apply.time());
                batchOutcomes(before, after, events, apply.time());
            }
            case UpdateInstances update -> {
                instanceTransitions(before, after, events, update);
                batchOutcomes(before, after, events, update.time());
            }
            case UpdateInstancesBatch batch -> {
                instanceTransitions(before, after, events, batch);
                batchOutcomes(before, after, events, batch.time());
            }
            case PromoteDeployment promote -> deploymentTransitions(before, after, events, promote.time());
            case RestartJob restart -> deploymentTransitions(before, after, events, restart.time());
            case SetNodeStatus status -> {
                Node previous = before.node();
                Node now = after.node(status.nodeId()).orElse(null);
                if (previous != null && now != null && previous.status() != now.status()) {
                    switch (now.status()) {
                        case DOWN -> events.record(nodeEvent(EventLevel.WARNING, "NodeDown", now,
                                "node stopped answering; its instances are lost"), status.time());
                        case READY -> events.record(nodeEvent(EventLevel.NORMAL, "NodeReady", now,
                                "node is ready"), status.time());
                        case DRAINING -> events.record(nodeEvent(EventLevel.NORMAL, "NodeDraining", now,
                                "node is draining: no new instances are placed on it"), status.time());
                    }
                }
                instanceTransitions(before, after, events, status);
            }
            case UpsertNode upsert -> {
                Node previous = before.node();
                Node now = after.node(upsert.node().id()).orElse(null);
                if (now == null) {
                    return;
                }
                if (previous == null) {
                    events.record(nodeEvent(EventLevel.NORMAL, "Registered", now,
                            "node registered at " + now.address()), upsert.time());
                } else if (previous.status() == NodeStatus.DOWN && now.status() == NodeStatus.READY) {
                    events.record(nodeEvent(EventLevel.NORMAL, "NodeReady", now, "node is back"), upsert.time());
                }
            }
            case RegisterServer ignored -> {}
            case GarbageCollect collect -> garbageCollected(before, after, events, collect);
            case SubscribeEvents ignored -> {}
            case UnsubscribeEvents ignored -> {}
            case AckEvents ignored -> {}
            case RecordUsage ignored -> {}
            case FireCron fire -> cronFiring(fire, after, result, events);
            case SetNodeEligibility eligibility -> {
                Node previous = before.node();
                Node now = after.node(eligibility.nodeId()).orElse(null);
                if (previous != null && now != null && !previous.equals(now)) {
                    events.record(nodeEvent(EventLevel.NORMAL, "NodeEligibility", now, now.eligibility()
                            == NodeEligibility.ELIGIBLE ? "node is eligible for new instances" : "node is ineligible: "
                            + "no new instances are placed on it"), eligibility.time());
                    if (previous.isDraining() && !now.isDraining()) {
                        events.record(nodeEvent(EventLevel.NORMAL, "NodeDrainCancelled", now,
                                "drain cancelled: the node is eligible again"), eligibility.time());
                    }
                }
            }
            case SetNodeDrain drain -> {
                Node previous = before.node();
                Node now = after.node(drain.nodeId()).orElse(null);
                if (previous == null || now == null || previous.equals(now)) {
                    return;
                }
                if (now.isDraining()) {
                    events.record(nodeEvent(EventLevel.NORMAL, "NodeDraining", now, "node is draining until "
                            + now.drain().deadline() + ": its instances move elsewhere"), drain.time());
                } else {
                    events.record(nodeEvent(EventLevel.NORMAL, "NodeDrainCancelled", now,
                            "drain cancelled; the node stays ineligible"), drain.time());
                }
            }
            case NodeDrainDeadline deadline -> {
                Node now = after.node(deadline.nodeId()).orElse(null);
                if (result.changed() && now != null) {
                    events.record(nodeEvent(EventLevel.WARNING, "NodeDrainDeadline", now,
                            "drain deadline reached: what still ran on the node is stopped"), deadline.time());
                }
                instanceTransitions(before, after, events, deadline);
            }
            case CompleteNodeDrain complete -> {
                Node now = after.node(complete.nodeId()).orElse(null);
                if (result.changed() && now != null) {
                    events.record(nodeEvent(EventLevel.NORMAL, "NodeDrained", now,
                            "node drained: nothing runs on it; it stays ineligible until 'herd node eligibility "
                                    + now.name() + " on'"), complete.time());
                }
            }
            case SetNodeConditions conditions -> {
                Node previous = before.node();
                Node now = after.node(conditions.nodeId()).orElse(null);
                if (previous != null && now != null) {
                    conditionChanges(previous, now, events, conditions.time());
                }
            }
        }
    }

    /**
     * A condition whose status changed, or a new one that is already a problem: a Warning when the problem appears,
     * Normal when it clears. A new condition reported healthy says nothing worth an event.
     */
    private static void conditionChanges(Node previous, Node now, EventLog events, java.time.Instant time) {
        for (NodeCondition condition : now.conditions()) {
            Optional<NodeCondition> was = previous.condition(condition.type());
            ConditionStatus before = was.map(NodeCondition::status).orElse(null);
            if (before == condition.status() || before == null && !condition.isTrue()) {
                continue;
            }
            String message = condition.type() + " is " + condition.status().wireName()
                    + (condition.message().isEmpty() ? "" : ": " + condition.message());
            events.record(nodeEvent(condition.isTrue() ? EventLevel.WARNING : EventLevel.NORMAL,
                    "NodeConditionChanged", now, message), time);
        }
    }

    /**
     * A batch job (or cron run) whose outcome became final with this command: {@code JobComplete} or
     * {@code JobFailed} (Warning), and for a cron run {@code RunComplete} or {@code RunFailed} (Warning), recorded on
     * the cron job so that its events tell the whole story. The outcome before is derived from the same instances as
     * they were, at the same time, so a deadline that passed without any report is reported with the stops it
     * causes instead.
     */
    private static void batchOutcomes(Before before, StateView after, EventLog events, java.time.Instant time) {
        java.util.Set<String> jobIds = new java.util.TreeSet<>();
        for (Map.Entry<String, Instance> entry : before.instances().entrySet()) {
            Instance instance = entry.getValue() != null ? entry.getValue() : after.instance(entry.getKey()).orElse(null);
            if (instance != null) {
                jobIds.add(instance.jobId());
            }
        }
        for (String jobId : jobIds) {
            Job job = after.job(jobId).orElse(null);
            if (job == null || job.type() != io.herd.api.JobType.BATCH || job.stopped()) {
                continue;
            }
            java.util.List<Instance> now = after.instancesOfJob(jobId);
            java.util.List<Instance> was = new java.util.ArrayList<>();
            for (Instance instance : now) {
                if (!before.instances().containsKey(instance.id())) {
                    was.add(instance);
                } else if (before.instances().get(instance.id()) != null) {
                    was.add(before.instances().get(instance.id()));
                }
            }
            BatchProgress previous = BatchProgress.of(job, was, time);
            BatchProgress current = BatchProgress.of(job, now, time);
            boolean stoppedAtDeadline = now.stream().anyMatch(instance -> BatchProgress.DEADLINE_EXCEEDED
                    .equals(instance.reason()) && before.instances().containsKey(instance.id())
                    && !BatchProgress.DEADLINE_EXCEEDED.equals(reasonOf(before.instances().get(instance.id()))));
            if (!current.state().isFinal() || previous.state().isFinal() && !stoppedAtDeadline) {
                continue;
            }
            boolean failed = current.state() == BatchProgress.State.FAILED;
            int at = job.name().indexOf('@');
            boolean run = at > 0;
            String name = run ? job.name().substring(0, at) : job.name();
            String reason = (run ? "Run" : "Job") + (failed ? "Failed" : "Complete");
            String message = (run ? "run " + job.id() + " " : "") + current.summary();
            events.record(jobEvent(failed ? EventLevel.WARNING : EventLevel.NORMAL, reason, job.app(), name, message),
                    time);
        }
    }

    private static String reasonOf(Instance instance) {
        return instance == null ? null : instance.reason();
    }

    /** The firing a cron command recorded: {@code RunStarted}, {@code RunSkipped} or {@code RunMissed} (Warning). */
    private static void cronFiring(FireCron fire, StateView after, ApplyResult result, EventLog events) {
        if (!result.changed()) {
            return;
        }
        String[] appAndJob = splitJobId(fire.jobId());
        after.cronRuns(fire.jobId()).stream()
                .filter(run -> run.scheduledTime().equals(fire.scheduledTime()))
                .findFirst()
                .ifPresent(run -> {
                    String when = "firing of " + run.scheduledTime();
                    EventLog.Draft draft = switch (run.outcome()) {
                        case STARTED -> jobEvent(EventLevel.NORMAL, "RunStarted", appAndJob[0], appAndJob[1],
                                when + " started run " + run.runJobId() + suffix(run.reason()));
                        case SKIPPED -> jobEvent(EventLevel.NORMAL, "RunSkipped", appAndJob[0], appAndJob[1],
                                when + " skipped" + suffix(run.reason()));
                        case MISSED -> jobEvent(EventLevel.WARNING, "RunMissed", appAndJob[0], appAndJob[1],
                                when + " missed" + suffix(run.reason()));
                    };
                    events.record(draft, fire.time());
                });
    }

    /**
     * Compares the job's deployments with what they were: a new one started, one paused for its canaries, was
     * promoted, succeeded, failed, was cancelled, or was auto-reverted.
     */
    private static void deploymentTransitions(Before before, StateView after, EventLog events, java.time.Instant time) {
        if (before.jobId() == null) {
            return;
        }
        String[] appAndJob = splitJobId(before.jobId());
        String app = appAndJob[0];
        String job = appAndJob[1];
        for (Deployment now : after.deploymentsOfJob(before.jobId()).reversed()) {
            Deployment previous = before.deployments().get(now.id());
            String what = (now.restartBefore() != null ? "restart of version " : "deployment of version ")
                    + now.jobVersion();
            if (previous == null) {
                events.record(jobEvent(EventLevel.NORMAL, "DeploymentStarted", app, job, what + " started"), time);
            }
            DeploymentStatus was = previous == null ? null : previous.status();
            if (now.status() != was) {
                String description = suffix(now.description());
                switch (now.status()) {
                    case RUNNING -> {
                        if (was == DeploymentStatus.PAUSED) {
                            events.record(jobEvent(EventLevel.NORMAL, "Promoted", app, job,
                                    what + ": canaries promoted"), time);
                        }
                    }
                    case PAUSED -> events.record(jobEvent(EventLevel.NORMAL, "DeploymentPaused", app, job,
                            what + " paused for its canaries; run herd promote" + description), time);
                    case SUCCESSFUL -> events.record(jobEvent(EventLevel.NORMAL, "DeploymentSucceeded", app, job,
                            what + " succeeded"), time);
                    case FAILED -> events.record(jobEvent(EventLevel.WARNING, "DeploymentFailed", app, job,
                            what + " failed" + description), time);
                    case CANCELLED -> events.record(jobEvent(EventLevel.NORMAL, "DeploymentCancelled", app, job,
                            what + " cancelled" + description), time);
                }
            }
            if (now.revertedToVersion() != null
                    && (previous == null || previous.revertedToVersion() == null)) {
                events.record(jobEvent(EventLevel.WARNING, "AutoReverted", app, job, what
                        + " failed; the last successful spec was registered again as version "
                        + now.revertedToVersion()), time);
            }
        }
    }

    /** Compares every captured instance with its new self and records what the change means. */
    private static void instanceTransitions(Before before, StateView after, EventLog events, Command command) {
        for (Map.Entry<String, Instance> entry : before.instances().entrySet()) {
            Instance previous = entry.getValue();
            Instance now = after.instance(entry.getKey()).orElse(null);
            if (now == null || now.equals(previous)) {
                continue;
            }
            if (previous == null) {
                if (command instanceof ApplyPlan) {
                    events.record(instanceEvent(EventLevel.NORMAL, "Scheduled", now, "placed on node "
                            + nodeName(now) + " at version " + now.jobVersion()), command.time());
                }
                continue;
            }
            if (previous.desired() != now.desired()) {
                if (now.desired() == DesiredStatus.EVICT) {
                    events.record(instanceEvent(EventLevel.WARNING, "Preempted", now, now.reason()), command.time());
                } else if (now.desired() == DesiredStatus.STOP && !now.state().isTerminal() && now.reason() != null
                        && now.reason().startsWith(MIGRATED_PREFIX)) {
                    events.record(instanceEvent(EventLevel.NORMAL, "Migrated", now, now.reason()), command.time());
                } else if (now.desired() == DesiredStatus.STOP && !now.state().isTerminal()) {
                    events.record(instanceEvent(EventLevel.NORMAL, "Killing", now, "stopping: " + now.reason()),
                            command.time());
                }
            }
            if (Boolean.FALSE.equals(now.healthy()) && !Boolean.FALSE.equals(previous.healthy())
                    && now.state() == InstanceState.RUNNING && previous.state() == InstanceState.RUNNING) {
                // Only a running instance that turns unhealthy: a new one starts unhealthy until its checks pass.
                events.record(instanceEvent(EventLevel.WARNING, "Unhealthy", now, "health check failing"
                        + suffix(now.reason())), command.time());
            }
            taskRestarts(previous, now, events, command);
            if (previous.state() != now.state()) {
                stateChange(previous, now, events, command);
            }
        }
    }

    private static void taskRestarts(Instance previous, Instance now, EventLog events, Command command) {
        for (Map.Entry<String, TaskState> task : now.tasks().entrySet()) {
            TaskState was = previous.tasks().get(task.getKey());
            TaskState is = task.getValue();
            if (is == null || is.restarts() <= (was == null ? 0 : was.restarts())) {
                continue;
            }
            boolean oom = "OOMKilled".equals(is.reason());
            String exit = oom ? "was killed at its memory limit"
                    : is.exitCode() != null ? "exited with code " + is.exitCode() : "exited";
            events.record(instanceEvent(EventLevel.WARNING, oom ? "OOMKilled" : "Restarted", now,
                    "task " + task.getKey() + " " + exit + "; restarting it"), command.time());
        }
    }

    private static void stateChange(Instance previous, Instance now, EventLog events, Command command) {
        switch (now.state()) {
            case RUNNING -> events.record(instanceEvent(EventLevel.NORMAL, "Started", now,
                    "running on node " + nodeName(now)), command.time());
            case COMPLETE -> {
                if (previous.desired() != DesiredStatus.RUN || now.desired() != DesiredStatus.RUN) {
                    events.record(instanceEvent(EventLevel.NORMAL, "Killed", now,
                            "stopped" + suffix(now.reason())), command.time());
                } else {
                    events.record(instanceEvent(EventLevel.NORMAL, "Completed", now,
                            now.reason() == null ? "completed" : now.reason()), command.time());
                }
            }
            case FAILED -> {
                boolean oom = now.tasks().values().stream().anyMatch(task -> "OOMKilled".equals(task.reason()));
                events.record(instanceEvent(EventLevel.WARNING, oom ? "OOMKilled" : "Failed", now,
                        now.reason() == null ? "failed" : now.reason()), command.time());
            }
            case LOST -> events.record(instanceEvent(EventLevel.WARNING, "Lost", now,
                    "lost" + suffix(now.reason()) + " (node " + nodeName(now) + ")"), command.time());
            case PENDING -> {
                // an instance does not go back to pending
            }
        }
    }

    private static String suffix(String reason) {
        return reason == null || reason.isBlank() ? "" : ": " + reason;
    }

    private static String nodeName(Instance instance) {
        return instance.nodeName() == null ? instance.nodeId() : instance.nodeName();
    }

    /**
     * One {@code GarbageCollected} event per job whose finished instances a collection removed ("removed 3
     * finished instances"); evaluations removed alone are bookkeeping nobody looks for and make no event.
     */
    private static void garbageCollected(Before before, StateView after, EventLog events, GarbageCollect collect) {
        Map<String, Integer> removedByJob = new java.util.TreeMap<>();
        for (Instance removed : before.instances().values()) {
            if (after.instance(removed.id()).isEmpty()) {
                removedByJob.merge(removed.jobId(), 1, Integer::sum);
            }
        }
        removedByJob.forEach((jobId, removed) -> {
            String[] appAndJob = splitJobId(jobId);
            events.record(jobEvent(EventLevel.NORMAL, "GarbageCollected", appAndJob[0], appAndJob[1],
                    "removed " + removed + " finished instance" + (removed == 1 ? "" : "s")), collect.time());
        });
    }

    private static EventLog.Draft jobEvent(EventLevel level, String reason, String app, String job, String message) {
        return new EventLog.Draft(level, reason, Event.JOB, jobObject(app, job), message, app, job, null, null, null,
                null);
    }

    private static String jobObject(String app, String job) {
        return Event.JOB + "/" + app + "/" + job;
    }

    private static EventLog.Draft instanceEvent(EventLevel level, String reason, Instance instance, String message) {
        return new EventLog.Draft(level, reason, Event.INSTANCE, Event.INSTANCE + "/" + instance.app() + "/"
                + instance.name(), Objects.requireNonNullElse(message, ""), instance.app(), instance.job(),
                instance.group(), instance.id(), instance.nodeId(), nodeName(instance));
    }

    private static EventLog.Draft nodeEvent(EventLevel level, String reason, Node node, String message) {
        return new EventLog.Draft(level, reason, Event.NODE, Event.NODE + "/" + node.name(), message, null, null, null,
                null, node.id(), node.name());
    }

    private static String[] splitJobId(String jobId) {
        int slash = jobId.indexOf('/');
        return slash < 0 ? new String[] {"", jobId} : new String[] {jobId.substring(0, slash),
                jobId.substring(slash + 1)};
    }
}

package io.herd.state;

import io.herd.api.Constraint;
import io.herd.api.DesiredStatus;
import io.herd.api.Group;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.InstanceStop;
import io.herd.api.Job;
import io.herd.api.JobType;
import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.api.PlacementFailure;
import io.herd.api.Plan;
import io.herd.api.PortRange;
import io.herd.api.Resources;
import io.herd.api.RestartPolicy;
import io.herd.api.Task;
import io.herd.api.TaskState;
import io.herd.api.TaskStatus;
import io.herd.api.UpdatePolicy;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Random commands over small pools of names, so that commands keep referring to each other's jobs, nodes,
 * instances and evaluations (and sometimes to ones that do not exist).
 */
final class CommandArbitraries {
    static final String APP = "shop_web";
    static final List<String> JOB_NAMES = List.of("checkout", "cart", "search");
    static final List<String> NODE_IDS = List.of("n0", "n1", "n2", "unknown-node");
    static final List<String> INSTANCE_IDS = List.of("i0", "i1", "i2", "i3", "i4", "i5", "i6", "i7");
    static final List<String> COMMAND_IDS = List.of("c0", "c1", "c2", "c3", "c4");
    static final List<String> EVALUATION_IDS = evaluationIds();
    private static final Instant START = Instant.parse("2025-03-01T10:00:00Z");

    private CommandArbitraries() {}

    /** The ids proposers pick, plus every id apply may derive from a command id and a job. */
    private static List<String> evaluationIds() {
        List<String> ids = new ArrayList<>(List.of("e0", "e1", "e2", "e3", "e4", "e5"));
        for (String commandId : COMMAND_IDS) {
            for (String name : JOB_NAMES) {
                ids.add(ClusterState.derivedEvaluationId(commandId, Job.id(APP, name)));
            }
        }
        return List.copyOf(ids);
    }

    static Arbitrary<List<Command>> commandSequences() {
        return command().list().ofMinSize(1).ofMaxSize(80).withSizeDistribution(RandomDistribution.uniform());
    }

    static Arbitrary<Command> command() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, registerServer()),
                Tuple.of(4, registerJob()),
                Tuple.of(2, deregisterJob()),
                Tuple.of(3, upsertNode()),
                Tuple.of(2, setNodeStatus()),
                Tuple.of(5, applyPlan()),
                Tuple.of(5, updateInstances()),
                Tuple.of(2, updateInstancesBatch()),
                Tuple.of(1, garbageCollect()),
                Tuple.of(1, eventSubscriptionChange()),
                Tuple.of(2, recordUsage()),
                Tuple.of(2, fireCron()),
                Tuple.of(2, nodeOperation()));
    }

    /** Usage samples of a few tasks and nodes, at times that go back and forth (the store skips the old ones). */
    private static Arbitrary<Command> recordUsage() {
        Arbitrary<io.herd.state.usage.UsageSource> source = Arbitraries.oneOf(
                Combinators.combine(Arbitraries.of(INSTANCE_IDS), Arbitraries.of("web", "sidecar"), jobName())
                        .as((instance, task, job) -> new io.herd.state.usage.UsageSource("task", instance + "/" + task,
                                java.util.Map.of("app", APP, "job", job, "instance", instance, "task", task))),
                Arbitraries.of(NODE_IDS).map(node -> new io.herd.state.usage.UsageSource("node", node,
                        java.util.Map.of("node", node))));
        Arbitrary<io.herd.state.usage.UsageReading> reading = Combinators.combine(source, time(),
                Arbitraries.longs().between(0, 4000), Arbitraries.longs().between(0, 8L << 30))
                .as((series, time, cpu, memory) -> new io.herd.state.usage.UsageReading(series, time.getEpochSecond(),
                        cpu, memory));
        return Combinators.combine(reading.list().ofMaxSize(6), time()).as(RecordUsage::new);
    }

    /** Cron firings, on time or missed, repeated and out of order: apply must take every one of them. */
    private static Arbitrary<Command> fireCron() {
        return Combinators.combine(jobId(), time(), Arbitraries.of(true, true, false),
                Arbitraries.integers().between(0, 3), evaluationId(), time())
                .as((jobId, scheduled, start, missed, evaluationId, time) -> new FireCron(jobId, scheduled, start,
                        missed, evaluationId, time));
    }

    /** Eligibility, drains and conditions: node state like the rest, in snapshots and on every replica. */
    private static Arbitrary<Command> nodeOperation() {
        Arbitrary<String> nodeId = Arbitraries.of(NODE_IDS);
        Arbitrary<Command> eligibility = Combinators.combine(nodeId,
                Arbitraries.of(io.herd.api.NodeEligibility.class), commandId(), time()).as(SetNodeEligibility::new);
        Arbitrary<io.herd.api.NodeDrain> drain = Combinators.combine(time(), Arbitraries.longs().between(0, 600))
                .as((start, seconds) -> new io.herd.api.NodeDrain(start, start.plusSeconds(seconds), false));
        Arbitrary<Command> setDrain = Combinators.combine(nodeId, drain.injectNull(0.3), commandId(), time())
                .as(SetNodeDrain::new);
        Arbitrary<Command> deadline = Combinators.combine(nodeId, commandId(), time()).as(NodeDrainDeadline::new);
        Arbitrary<Command> complete = Combinators.combine(nodeId, commandId(), time()).as(CompleteNodeDrain::new);
        Arbitrary<io.herd.api.NodeCondition> condition = Combinators.combine(
                Arbitraries.of(io.herd.api.NodeCondition.DISK_PRESSURE, io.herd.api.NodeCondition.CLOCK_UNSYNCHRONIZED),
                Arbitraries.of(io.herd.api.ConditionStatus.class), time())
                .as((type, status, since) -> new io.herd.api.NodeCondition(type, status, "Test", "m", since));
        Arbitrary<Command> conditions = Combinators.combine(nodeId,
                condition.list().ofMaxSize(2).uniqueElements(io.herd.api.NodeCondition::type), commandId(), time())
                .as(SetNodeConditions::new);
        return Arbitraries.oneOf(eligibility, setDrain, deadline, complete, conditions);
    }

    /** Webhooks come and go and their cursors move: state like the rest, in snapshots and on every replica. */
    private static Arbitrary<Command> eventSubscriptionChange() {
        Arbitrary<String> id = Arbitraries.of("hook-1", "hook-2");
        Arbitrary<Command> subscribe = Combinators.combine(id, Arbitraries.of(io.herd.api.WebhookFormat.class),
                Arbitraries.of(io.herd.api.EventLevel.class).injectNull(0.5), time()).as((hook, format, level, time) ->
                new SubscribeEvents(new io.herd.api.EventSubscription(hook, "http://127.0.0.1:9/" + hook, format,
                        new io.herd.api.EventFilter("shop", null, null, null, level, null, null, null), null, 0, null),
                        time));
        Arbitrary<Command> unsubscribe = Combinators.combine(id, time()).as(UnsubscribeEvents::new);
        Arbitrary<Command> ack = Combinators.combine(id, Arbitraries.longs().between(0, 50), time())
                .as(AckEvents::new);
        return Arbitraries.oneOf(subscribe, unsubscribe, ack);
    }

    private static Arbitrary<Instant> time() {
        return Arbitraries.longs().between(0, 10_000).map(seconds -> START.plusMillis(seconds * 1000 + seconds % 7));
    }

    private static Arbitrary<String> commandId() {
        return Arbitraries.of(COMMAND_IDS);
    }

    /** Mostly the ids proposers pick, so that plans and garbage collection often find their evaluation. */
    private static Arbitrary<String> evaluationId() {
        return Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.of(EVALUATION_IDS.subList(0, 6))),
                Tuple.of(1, Arbitraries.of(EVALUATION_IDS)));
    }

    private static Arbitrary<String> jobName() {
        return Arbitraries.of(JOB_NAMES);
    }

    private static Arbitrary<String> jobId() {
        return jobName().map(name -> Job.id(APP, name));
    }

    private static Arbitrary<Command> registerServer() {
        return Combinators.combine(Arbitraries.of("s0", "s1", "s2"), Arbitraries.integers().between(7000, 7002),
                time()).as((id, port, time) -> new RegisterServer(id, "127.0.0.1:" + (port + 100), "127.0.0.1:" + port,
                time));
    }

    private static Arbitrary<Command> registerJob() {
        return Combinators.combine(job(), evaluationId(), time()).as(RegisterJob::new);
    }

    private static Arbitrary<Command> deregisterJob() {
        return Combinators.combine(jobId(), Arbitraries.of(true, false), evaluationId(), time())
                .as(DeregisterJob::new);
    }

    private static Arbitrary<Command> upsertNode() {
        return Combinators.combine(node(), commandId(), time()).as(UpsertNode::new);
    }

    private static Arbitrary<Command> setNodeStatus() {
        return Combinators.combine(Arbitraries.of(NODE_IDS), Arbitraries.of(NodeStatus.class), commandId(), time())
                .as(SetNodeStatus::new);
    }

    private static Arbitrary<Command> applyPlan() {
        Arbitrary<Plan> plan = Combinators.combine(evaluationId(), jobId(), Arbitraries.longs().between(0, 4),
                instance().list().ofMaxSize(3), instanceStop().list().ofMaxSize(2),
                placementFailure().list().ofMaxSize(2), time().injectNull(0.7), instanceStop().list().ofMaxSize(2))
                .as((evaluationId, jobId, version, placements, stops, failures, next, preemptions) -> new Plan(
                        evaluationId, jobId, version, placements, stops, failures, next, preemptions, null));
        return Combinators.combine(plan, Arbitraries.of(true, false), commandId(), time())
                .as(ApplyPlan::new);
    }

    private static Arbitrary<Command> updateInstances() {
        return Combinators.combine(Arbitraries.of(NODE_IDS), instanceStatusUpdate().list().ofMaxSize(4), commandId(),
                time()).as(UpdateInstances::new);
    }

    private static Arbitrary<Command> updateInstancesBatch() {
        Arbitrary<UpdateInstancesBatch.NodeReport> report = Combinators.combine(Arbitraries.of(NODE_IDS),
                instanceStatusUpdate().list().ofMaxSize(3)).as(UpdateInstancesBatch.NodeReport::new);
        return Combinators.combine(report.list().ofMaxSize(3), commandId(), time()).as(UpdateInstancesBatch::new);
    }

    private static Arbitrary<Command> garbageCollect() {
        return Combinators.combine(Arbitraries.of(INSTANCE_IDS).list().ofMaxSize(3),
                evaluationId().list().ofMaxSize(3), time()).as(GarbageCollect::new);
    }

    private static Arbitrary<Job> job() {
        Arbitrary<Task> task = Combinators.combine(Arbitraries.of("exec", "java"), resources(),
                Arbitraries.of(List.<String>of(), List.of("http"))).as((driver, resources, ports) ->
                new Task("main", driver, Map.of("command", "/bin/sleep", "args", List.of("60")),
                        Map.of("LOG_LEVEL", "info"), resources, ports, null));
        Arbitrary<Group> group = Combinators.combine(Arbitraries.integers().between(1, 3), task,
                Arbitraries.of(true, false), Arbitraries.of(true, false)).as((count, onlyTask, withPolicies, stateful) ->
                new Group("web", count, List.of(), null, withPolicies ? UpdatePolicy.DEFAULT : null,
                        withPolicies ? RestartPolicy.DEFAULT_SERVICE : null, List.of(), List.of(onlyTask))
                        .withVolumes(stateful ? List.of(new io.herd.api.Volume("data", 1L << 30)) : List.of()));
        Arbitrary<List<Constraint>> constraints = Arbitraries.of(List.of(),
                List.of(new Constraint("node.zone", Constraint.Operator.IN, List.of("a", "b"))));
        // Cron jobs with every concurrency policy; batch limits and dependencies on other jobs (cycles included:
        // the server rejects them before proposing, but apply must not care).
        Arbitrary<io.herd.api.CronPolicy> cron = Arbitraries.of(io.herd.api.CronPolicy.Concurrency.class)
                .map(concurrency -> new io.herd.api.CronPolicy("* * * * *", null, concurrency, null, null));
        Arbitrary<io.herd.api.BatchPolicy> batch = Arbitraries.of(new io.herd.api.BatchPolicy(1, null, 0),
                new io.herd.api.BatchPolicy(2, java.time.Duration.ofSeconds(30), 1)).injectNull(0.5);
        Arbitrary<List<io.herd.api.Dependency>> dependsOn = jobId().map(id -> List.of(new io.herd.api.Dependency(id,
                io.herd.api.Dependency.Condition.HEALTHY))).injectNull(0.7);
        return Combinators.combine(jobName(), Arbitraries.of(JobType.class), Arbitraries.of(0, 200, 300), constraints,
                group, cron, batch, dependsOn).as((name, type, priority, jobConstraints, onlyGroup, cronPolicy,
                batchPolicy, dependencies) -> new Job(name, APP, type, priority, jobConstraints, List.of(),
                List.of(onlyGroup), 0, null, false, type == JobType.SERVICE ? null : batchPolicy,
                type == JobType.CRON ? cronPolicy : null, dependencies == null ? List.of() : dependencies))
                .flatMap(job -> Arbitraries.of(new io.herd.api.GcPolicy(2, null)).injectNull(0.5).map(gc ->
                        new Job(job.name(), job.app(), job.type(), job.priority(), job.constraints(),
                                job.affinities(), job.groups(), job.version(), job.submitTime(), job.stopped(),
                                job.batch(), job.cron(), job.dependsOn(), gc)));
    }

    private static Arbitrary<Resources> resources() {
        return Arbitraries.of(new Resources(250, 128L << 20, 0), new Resources(1000, 1L << 30, 1L << 30),
                new Resources(1000, 1L << 30, 0, 500, "T4"));
    }

    private static Arbitrary<Node> node() {
        return Combinators.combine(Arbitraries.of("n0", "n1", "n2"), Arbitraries.of("a", "b"),
                Arbitraries.of(4000L, 8000L), Arbitraries.of(NodeStatus.class)).as((id, zone, cpu, status) ->
                new Node(id, "host-" + id, "127.0.0.1:7710", new Resources(cpu, 8L << 30, 100L << 30),
                        Map.of("zone", zone), Set.of("exec"), PortRange.DEFAULT, status, null, null));
    }

    private static Arbitrary<Instance> instance() {
        return Combinators.combine(Arbitraries.of(INSTANCE_IDS), jobName(), Arbitraries.integers().between(0, 2),
                Arbitraries.of(NODE_IDS), Arbitraries.of(InstanceState.PENDING, InstanceState.RUNNING), time(),
                Arbitraries.longs().between(1, 3), resources()).as((id, name, index, nodeId, state, time, version,
                resources) -> new Instance(id, APP, name, "web", index, version, nodeId, "host-" + nodeId,
                resources, Map.of("http", 20000 + index), state, DesiredStatus.RUN, null, Map.of(), null,
                index == 0 ? null : time, time));
    }

    private static Arbitrary<InstanceStop> instanceStop() {
        return Combinators.combine(Arbitraries.of(INSTANCE_IDS), Arbitraries.of("job stopped", "scaled down"))
                .as(InstanceStop::new);
    }

    private static Arbitrary<PlacementFailure> placementFailure() {
        return Combinators.combine(Arbitraries.integers().between(1, 3), Arbitraries.integers().between(0, 3))
                .as((unplaced, nodes) -> new PlacementFailure("web", unplaced, nodes,
                        nodes == 0 ? Map.of() : Map.of("insufficient memory", nodes)));
    }

    private static Arbitrary<InstanceStatusUpdate> instanceStatusUpdate() {
        Arbitrary<Map<String, TaskState>> tasks = Combinators.combine(Arbitraries.of(TaskStatus.class), time(),
                Arbitraries.integers().between(0, 2)).as((status, time, restarts) -> status == TaskStatus.DEAD
                ? Map.of("main", new TaskState(status, null, 1, "Error", "exit 1", restarts, time, time))
                : Map.of("main", new TaskState(status, 4242L, null, null, null, restarts, time, null)));
        return Combinators.combine(Arbitraries.of(INSTANCE_IDS), Arbitraries.of(InstanceState.class).injectNull(0.1),
                Arbitraries.of("started", "exited", "oom").injectNull(0.2),
                Arbitraries.oneOf(tasks, Arbitraries.just(Map.<String, TaskState>of()))).as(InstanceStatusUpdate::new);
    }
}

package io.herd.bench;

import io.herd.api.DesiredStatus;
import io.herd.api.Group;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.Job;
import io.herd.api.JobType;
import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.api.Plan;
import io.herd.api.PortRange;
import io.herd.api.Resources;
import io.herd.api.Task;
import io.herd.api.TaskState;
import io.herd.api.TaskStatus;
import io.herd.state.ApplyPlan;
import io.herd.state.ClusterState;
import io.herd.state.RegisterJob;
import io.herd.state.UpdateInstances;
import io.herd.state.UpsertNode;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * How fast the state machine applies agent reports that each produce an event, against the same reports that change
 * the same instances without producing one (only the instance's reason changes): the difference is what deriving,
 * folding and pruning events costs the apply path. One operation is one instance update inside an
 * {@link UpdateInstances} of {@value #BATCH} (how agents batch reports). With {@code fold=false} each command is
 * 11 minutes after the one before, so no event folds and the log runs at its limit (100,000 events) with every
 * command pruning as many as it adds; with {@code fold=true} commands are 1 s apart and repeats fold.
 * Run with {@code bench/run jmh EventIngestionBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class EventIngestionBenchmark {
    static final int BATCH = 100;
    private static final int INSTANCES = 1_000;
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    @Param({"false", "true"})
    public boolean fold;

    private ClusterState state;
    private long index;
    private long round;
    private Instant time;
    private final List<String> instanceIds = new ArrayList<>();

    @Setup
    public void setUp() {
        state = new ClusterState();
        time = START;
        Resources small = new Resources(1, 1L << 20, 0);
        Node node = new Node("n1", "node-1", "127.0.0.1:1", new Resources(1_000_000, 1L << 40, 1L << 40), Map.of(),
                Set.of("exec"), PortRange.DEFAULT, NodeStatus.READY, null, null);
        state.apply(++index, new UpsertNode(node, "c0", time));
        Task task = new Task("main", "exec", Map.of("command", "/bin/true"), Map.of(), small, List.of(), null);
        Job job = new Job("web", "bench_app", JobType.SERVICE, 200, List.of(),
                List.of(new Group("main", INSTANCES, List.of(), null, null, null, List.of(), List.of(task))), 0, null,
                false);
        state.apply(++index, new RegisterJob(job, "e1", time));
        List<Instance> placements = new ArrayList<>();
        List<InstanceStatusUpdate> running = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            String id = "instance-" + i;
            instanceIds.add(id);
            placements.add(new Instance(id, "bench_app", "web", "main", i, 1, "n1", "node-1", small, Map.of(),
                    InstanceState.PENDING, DesiredStatus.RUN, null, Map.of(), null, null, null));
            running.add(new InstanceStatusUpdate(id, InstanceState.RUNNING, "running",
                    Map.of("main", new TaskState(TaskStatus.RUNNING, 1L, null, null, null, 0, time, null))));
        }
        state.apply(++index, new ApplyPlan(new Plan("e1", job.id(), 1, placements, List.of(), List.of()), false, "p1",
                time));
        state.apply(++index, new UpdateInstances("n1", running, "u0", time));
    }

    /** Each instance's task restarted once more: one {@code Restarted} event per update. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object restartsWithEvents() {
        round++;
        time = time.plus(fold ? Duration.ofSeconds(1) : Duration.ofMinutes(11));
        List<InstanceStatusUpdate> updates = new ArrayList<>(BATCH);
        int first = (int) (round * BATCH % INSTANCES);
        for (int i = first; i < first + BATCH; i++) {
            updates.add(new InstanceStatusUpdate(instanceIds.get(i), InstanceState.RUNNING, "running",
                    Map.of("main", new TaskState(TaskStatus.PENDING, null, 1, "Error", null, (int) round, time, time))));
        }
        return state.apply(++index, new UpdateInstances("n1", updates, "u" + round, time));
    }

    /** The peer: the same instances change (their reason), which derives no event. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object reasonChangesWithoutEvents() {
        round++;
        time = time.plus(fold ? Duration.ofSeconds(1) : Duration.ofMinutes(11));
        List<InstanceStatusUpdate> updates = new ArrayList<>(BATCH);
        int first = (int) (round * BATCH % INSTANCES);
        for (int i = first; i < first + BATCH; i++) {
            updates.add(new InstanceStatusUpdate(instanceIds.get(i), InstanceState.RUNNING, "running " + round,
                    Map.of("main", new TaskState(TaskStatus.RUNNING, 1L, null, null, null, 0, START, null))));
        }
        return state.apply(++index, new UpdateInstances("n1", updates, "u" + round, time));
    }
}

package io.herd.server;

import io.herd.api.Evaluation;
import io.herd.api.Instance;
import io.herd.api.Job;
import io.herd.api.JobSpecParser;
import io.herd.api.Plan;
import io.herd.scheduler.Scheduler;
import io.herd.scheduler.SchedulerConfig;
import io.herd.state.ApplyPlan;
import io.herd.state.ClusterState;
import io.herd.state.Command;
import io.herd.state.DeregisterJob;
import io.herd.state.GarbageCollect;
import io.herd.state.RegisterJob;
import io.herd.state.UpsertNode;
import io.herd.testkit.FakeClock;
import io.herd.testkit.Nodes;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The copy scheduler workers plan from, outside the state lock. */
class ClusterSnapshotTest {
    private static final Instant NOW = FakeClock.DEFAULT_START;
    private static final String SPEC = """
            job: %s
            app: demo
            groups:
              - name: main
                count: %d
                tasks:
                  - name: server
                    driver: exec
                    config: {command: /bin/sleep, args: ["1000"]}
                    resources: {cpu: 500m, memory: 256Mi}
            """;

    private final ClusterState state = new ClusterState();
    private final Scheduler scheduler = new Scheduler(SchedulerConfig.DEFAULT);
    private long index;

    @Test
    void holdsWhatTheStateHeldWhenCopied() {
        apply(new UpsertNode(Nodes.node("node-a").build(), "node-a", NOW));
        apply(new UpsertNode(Nodes.node("node-b").build(), "node-b", NOW));
        apply(new RegisterJob(job("web", 3), "eval-1", NOW));
        schedule("demo/web");
        List<Instance> placed = state.view().instancesOfJob("demo/web");

        ClusterSnapshot snapshot = ClusterSnapshot.of(state.view());
        // Later changes: the job is stopped and purged, its instances collected, another job and node appear.
        apply(new DeregisterJob("demo/web", true, "eval-2", NOW));
        apply(new GarbageCollect(placed.stream().map(Instance::id).toList(), List.of(), NOW));
        apply(new UpsertNode(Nodes.node("node-c").build(), "node-c", NOW));

        assertThat(snapshot.nodes()).extracting(node -> node.id()).containsExactly("node-a", "node-b");
        assertThat(snapshot.node("node-c")).isEmpty();
        assertThat(snapshot.instancesOfJob("demo/web")).containsExactlyElementsOf(placed);
        assertThat(snapshot.instancesOnNode("node-a")).containsExactlyElementsOf(
                placed.stream().filter(instance -> instance.nodeId().equals("node-a")).toList());
        assertThat(snapshot.instancesOnNode("node-c")).isEmpty();
        assertThat(snapshot.jobVersion("demo/web", 1)).isPresent();
        assertThat(snapshot.jobVersion("demo/web", 2)).isEmpty();
        assertThat(state.view().instancesOfJob("demo/web")).isEmpty();
    }

    @Test
    void seesInstancesOfAPurgedJobUntilTheyAreCollected() {
        apply(new UpsertNode(Nodes.node("node-a").build(), "node-a", NOW));
        apply(new RegisterJob(job("web", 2), "eval-1", NOW));
        schedule("demo/web");
        apply(new DeregisterJob("demo/web", true, "eval-2", NOW));

        ClusterSnapshot snapshot = ClusterSnapshot.of(state.view());

        assertThat(snapshot.instancesOfJob("demo/web")).hasSize(2);
        assertThat(snapshot.instancesOnNode("node-a")).hasSize(2);
    }

    @Test
    void plansTheSameAsTheLiveState() {
        for (String node : List.of("node-a", "node-b", "node-c")) {
            apply(new UpsertNode(Nodes.node(node).build(), node, NOW));
        }
        apply(new RegisterJob(job("web", 4), "eval-1", NOW));
        schedule("demo/web");
        apply(new RegisterJob(job("api", 5), "eval-2", NOW));
        Evaluation evaluation = state.view().pendingEvaluations().getLast();
        Job job = state.view().job("demo/api").orElseThrow();

        Plan fromLive = scheduler.process(evaluation, job, new StateClusterView(state.view()), NOW, new Random(7));
        Plan fromCopy = scheduler.process(evaluation, job, ClusterSnapshot.of(state.view()), NOW, new Random(7));

        assertThat(fromCopy).isEqualTo(fromLive);
        assertThat(fromCopy.placements()).hasSize(5);
    }

    @Test
    void keepsTheAllocationsOfUnchangedNodesBetweenSnapshotsAndPlansAsTheLiveState() {
        NodeAllocationCache cache = new NodeAllocationCache();
        for (String node : List.of("node-a", "node-b", "node-c")) {
            apply(new UpsertNode(Nodes.node(node).build(), node, NOW));
        }
        ClusterSnapshot empty = ClusterSnapshot.of(state.view(), cache);
        // One instance, so it lands on one node: the others keep their allocation objects.
        apply(new RegisterJob(job("web", 1), "eval-1", NOW));
        Evaluation first = state.view().pendingEvaluations().getLast();
        Job web = state.view().job("demo/web").orElseThrow();
        Plan plan = scheduler.process(first, web, ClusterSnapshot.of(state.view(), cache), NOW, new Random(3));
        assertThat(plan).isEqualTo(scheduler.process(first, web, new StateClusterView(state.view()), NOW,
                new Random(3)));
        apply(new ApplyPlan(plan, false, "plan-1", NOW));
        String used = plan.placements().getFirst().nodeId();

        ClusterSnapshot after = ClusterSnapshot.of(state.view(), cache);

        for (int position = 0; position < 3; position++) {
            var before = empty.allocations().get(position);
            var now = after.allocations().get(position);
            if (now.node().id().equals(used)) {
                assertThat(now).isNotSameAs(before);
                assertThat(now.used().cpuMillis()).isEqualTo(500);
                assertThat(after.instancesOnNode(used)).hasSize(1);
            } else {
                assertThat(now).isSameAs(before);
                assertThat(now.used().cpuMillis()).isZero();
            }
        }
        // A changed node record (here: drained) replaces its entry even though its instances did not change.
        apply(new io.herd.state.SetNodeStatus(used, io.herd.api.NodeStatus.DRAINING, "drain-1", NOW));
        ClusterSnapshot drained = ClusterSnapshot.of(state.view(), cache);
        assertThat(drained.allocations()).extracting(allocation -> allocation.node().status())
                .contains(io.herd.api.NodeStatus.DRAINING);

        apply(new RegisterJob(job("api", 5), "eval-2", NOW));
        Evaluation second = state.view().pendingEvaluations().getLast();
        Job api = state.view().job("demo/api").orElseThrow();
        assertThat(scheduler.process(second, api, ClusterSnapshot.of(state.view(), cache), NOW, new Random(7)))
                .isEqualTo(scheduler.process(second, api, new StateClusterView(state.view()), NOW, new Random(7)));
    }

    private static Job job(String name, int count) {
        return JobSpecParser.parse(SPEC.formatted(name, count));
    }

    private void apply(Command command) {
        state.apply(++index, command);
    }

    private void schedule(String jobId) {
        Evaluation evaluation = state.view().pendingEvaluations().getLast();
        Job job = state.view().job(jobId).orElseThrow();
        Plan plan = scheduler.process(evaluation, job, ClusterSnapshot.of(state.view()), NOW, new Random(1));
        apply(new ApplyPlan(plan, false, "plan-" + index, NOW));
    }
}

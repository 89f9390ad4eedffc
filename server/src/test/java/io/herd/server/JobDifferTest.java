package io.herd.server;

import io.herd.api.Evaluation;
import io.herd.api.Job;
import io.herd.api.JobSpecParser;
import io.herd.api.Plan;
import io.herd.api.wire.JobDiff;
import io.herd.api.wire.JobDiff.Action;
import io.herd.api.wire.JobDiff.ChangeType;
import io.herd.api.wire.JobDiff.FieldChange;
import io.herd.api.wire.JobDiff.InstanceChange;
import io.herd.scheduler.Scheduler;
import io.herd.scheduler.SchedulerConfig;
import io.herd.state.ApplyPlan;
import io.herd.state.ClusterState;
import io.herd.state.Command;
import io.herd.state.DeregisterJob;
import io.herd.state.RegisterJob;
import io.herd.state.StateData;
import io.herd.state.UpsertNode;
import io.herd.testkit.FakeClock;
import io.herd.testkit.Nodes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The dry run behind {@code herd diff}, on an in-memory state: what each kind of change would do, and that it changes nothing. */
class JobDifferTest {
    private static final Instant NOW = FakeClock.DEFAULT_START;
    private static final String SPEC = """
            job: web
            app: demo
            groups:
              - name: main
                count: %d
                tasks:
                  - name: server
                    driver: exec
                    config: {command: /bin/sleep, args: ["%s"]}
                    resources: {cpu: 500m, memory: %s}
            """;

    private final ClusterState state = new ClusterState();
    private final Scheduler scheduler = new Scheduler(SchedulerConfig.DEFAULT);
    private final JobDiffer differ = new JobDiffer(scheduler);
    private long index;

    @BeforeEach
    void twoNodesAndAJobOfTwoInstances() {
        apply(new UpsertNode(Nodes.node("node-a").build(), "node-a", NOW));
        apply(new UpsertNode(Nodes.node("node-b").build(), "node-b", NOW));
        apply(new RegisterJob(spec(2, "1000", "256Mi"), "eval-1", NOW));
        schedule();
        assertThat(state.view().instancesOfJob("demo/web")).hasSize(2);
    }

    @Test
    void countChangePlacesTheNewIndexAndKeepsTheOthersInPlace() {
        JobDiff diff = diff(spec(3, "1000", "256Mi"));

        assertThat(diff.currentVersion()).isEqualTo(1);
        assertThat(diff.version()).isEqualTo(2);
        assertThat(diff.changed()).isTrue();
        assertThat(diff.changes()).singleElement().satisfies(change -> {
            assertThat(change.type()).isEqualTo(ChangeType.CHANGED);
            assertThat(change.path()).isEqualTo("groups[main].count");
            assertThat(change.oldValue().asInt()).isEqualTo(2);
            assertThat(change.newValue().asInt()).isEqualTo(3);
        });
        assertThat(actions(diff)).containsExactly("in_place main[0]", "in_place main[1]", "place main[2]");
        assertThat(diff.instances().get(2).targetNode()).isIn("node-a", "node-b");
        assertThat(diff.summary()).isEqualTo("1 to place, 0 to replace, 0 to stop, 2 in place");
    }

    @Test
    void taskChangeReplacesEveryInstance() {
        JobDiff diff = diff(spec(2, "2000", "256Mi"));

        assertThat(diff.changes()).extracting(FieldChange::path).containsExactly("groups[main].tasks[server].config.args");
        assertThat(actions(diff)).containsExactly("replace main[0]", "replace main[1]");
        assertThat(diff.instances()).allSatisfy(change -> {
            assertThat(change.instanceId()).isNotNull();
            assertThat(change.node()).isIn("node-a", "node-b");
        });
        // A rolling update (max_parallel 1): the first replacement is placed now, the second follows later.
        assertThat(diff.instances().getFirst().targetNode()).isIn("node-a", "node-b");
        assertThat(diff.instances().getFirst().reason()).isEqualTo("replaced by version 2");
        assertThat(diff.instances().get(1).targetNode()).isNull();
        assertThat(diff.instances().get(1).reason()).isEqualTo("replaced by version 2 later in the rolling update");
        assertThat(diff.summary()).isEqualTo("0 to place, 2 to replace, 0 to stop");
    }

    @Test
    void scaleDownStopsTheHighestIndex() {
        JobDiff diff = diff(spec(1, "1000", "256Mi"));

        assertThat(actions(diff)).containsExactly("in_place main[0]", "stop main[1]");
        assertThat(diff.instances().get(1).reason()).isEqualTo("scaled down");
    }

    @Test
    void replacementThatFitsNowhereIsReportedWithTheReasons() {
        JobDiff diff = diff(spec(2, "1000", "16Gi"));

        assertThat(actions(diff)).containsExactly("replace main[0]", "replace main[1]");
        assertThat(diff.instances()).allSatisfy(change -> assertThat(change.targetNode()).isNull());
        assertThat(diff.instances().getFirst().reason()).contains("cannot be placed");
        assertThat(diff.instances().get(1).reason()).contains("later in the rolling update");
        // Only the first step of the rolling update is tried now.
        assertThat(diff.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.unplaced()).isEqualTo(1);
            assertThat(failure.summary()).isEqualTo("2 nodes: insufficient memory");
        });
        assertThat(diff.summary()).isEqualTo("0 to place, 2 to replace, 0 to stop; 1 unplaceable: 2 nodes: insufficient memory");
    }

    @Test
    void sameSpecChangesNothing() {
        JobDiff diff = diff(spec(2, "1000", "256Mi"));

        assertThat(diff.changed()).isFalse();
        assertThat(diff.version()).isEqualTo(1);
        assertThat(diff.changes()).isEmpty();
        assertThat(actions(diff)).containsExactly("unchanged main[0]", "unchanged main[1]");
    }

    @Test
    void newJobIsAllAddedAndPlaced() {
        Job other = JobSpecParser.parse(SPEC.formatted(3, "1", "128Mi").replace("job: web", "job: other"));
        JobDiff diff = diff(other);

        assertThat(diff.createsJob()).isTrue();
        assertThat(diff.version()).isEqualTo(1);
        assertThat(diff.changes()).allMatch(change -> change.type() == ChangeType.ADDED)
                .extracting(FieldChange::path).containsExactly("name", "app", "type", "priority", "groups");
        assertThat(actions(diff)).containsExactly("place main[0]", "place main[1]", "place main[2]");
    }

    @Test
    void stoppedJobStartsAgain() {
        apply(new DeregisterJob("demo/web", false, "eval-stop", NOW));
        schedule();

        JobDiff diff = diff(spec(2, "1000", "256Mi"));
        assertThat(diff.stopped()).isTrue();
        assertThat(diff.changed()).isTrue();
        assertThat(diff.changes()).isEmpty();
        assertThat(actions(diff)).containsExactly("place main[0]", "place main[1]");
    }

    private JobDiff diff(Job candidate) {
        StateData before = state.toData();
        JobDiff diff = differ.diff(state.view(), candidate, NOW, new Random(7));
        // A diff must leave no trace: no evaluation, no version, no instance.
        assertThat(state.toData()).isEqualTo(before);
        assertThat(state.view().index()).isEqualTo(index);
        return diff;
    }

    private static List<String> actions(JobDiff diff) {
        return diff.instances().stream()
                .map((InstanceChange change) -> change.action().wireName() + " " + change.group() + "[" + change.index() + "]")
                .toList();
    }

    private static Job spec(int count, String sleep, String memory) {
        return JobSpecParser.parse(SPEC.formatted(count, sleep, memory));
    }

    private void apply(Command command) {
        state.apply(++index, command);
    }

    /** What the leader does: plans the pending evaluation of the job and commits the plan. */
    private void schedule() {
        Evaluation evaluation = state.view().pendingEvaluations().getLast();
        Job job = state.view().job("demo/web").orElseThrow();
        Plan plan = scheduler.process(evaluation, job, new StateClusterView(state.view()), NOW, new Random(1));
        apply(new ApplyPlan(plan, false, "plan-" + index, NOW));
    }
}

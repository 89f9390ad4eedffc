package io.herd.state;

import io.herd.api.ConditionStatus;
import io.herd.api.DesiredStatus;
import io.herd.api.Event;
import io.herd.api.EventFilter;
import io.herd.api.EventLevel;
import io.herd.api.Evaluation;
import io.herd.api.EvaluationStatus;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.InstanceStop;
import io.herd.api.Node;
import io.herd.api.NodeCondition;
import io.herd.api.NodeDrain;
import io.herd.api.NodeEligibility;
import io.herd.api.NodeStatus;
import io.herd.api.Plan;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.herd.state.StateFixtures.at;
import static io.herd.state.StateFixtures.instance;
import static io.herd.state.StateFixtures.job;
import static io.herd.state.StateFixtures.jobId;
import static io.herd.state.StateFixtures.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** Eligibility, drains and conditions as the replicated state applies them. */
class NodeOperationsTest {
    private final ClusterState state = new ClusterState();
    private long index;

    private ApplyResult apply(Command command) {
        ApplyResult result = state.apply(++index, command);
        StateInvariants.check(state);
        return result;
    }

    private Node n1() {
        return state.view().node("n1").orElseThrow();
    }

    private List<Event> nodeEvents() {
        return state.view().events(EventFilter.ALL, Integer.MAX_VALUE).stream()
                .filter(event -> event.object().startsWith("node/") || event.reason().equals("Migrated")
                        || event.reason().equals("Killing"))
                .toList();
    }

    /** n1 and n2, and job checkout with instance i1 running on n1. */
    private void checkoutRunningOnN1() {
        apply(new UpsertNode(node("n1"), "c1", at(0)));
        apply(new UpsertNode(node("n2"), "c2", at(0)));
        apply(new RegisterJob(job("checkout"), "e1", at(1)));
        apply(new ApplyPlan(new Plan("e1", jobId("checkout"), 1, List.of(instance("i1", "checkout", "n1")),
                List.of(), List.of()), false, "p1", at(2)));
        apply(new UpdateInstances("n1", List.of(new InstanceStatusUpdate("i1", InstanceState.RUNNING, null, Map.of())),
                "u1", at(3)));
    }

    @Test
    void aDrainMakesTheNodeIneligibleAndDrainingEvaluatesItsJobsAndSurvivesARegistration() {
        checkoutRunningOnN1();
        NodeDrain drain = new NodeDrain(at(10), at(70), false);

        ApplyResult result = apply(new SetNodeDrain("n1", drain, "d1", at(10)));

        assertThat(n1().drain()).isEqualTo(drain);
        assertThat(n1().status()).isEqualTo(NodeStatus.DRAINING);
        assertThat(n1().eligibility()).isEqualTo(NodeEligibility.INELIGIBLE);
        assertThat(result.evaluationIds()).singleElement().satisfies(id ->
                assertThat(state.view().evaluation(id).map(Evaluation::jobId)).contains(jobId("checkout")));

        // A restarting agent registers again; the drain goes on. So does a node that was down and came back.
        apply(new UpsertNode(node("n1"), "c3", at(11)));
        assertThat(n1().drain()).isEqualTo(drain);
        assertThat(n1().status()).isEqualTo(NodeStatus.DRAINING);
        apply(new SetNodeStatus("n1", NodeStatus.DOWN, "c4", at(12)));
        apply(new SetNodeStatus("n1", NodeStatus.READY, "c5", at(13)));
        assertThat(n1().status()).isEqualTo(NodeStatus.DRAINING);
        assertThat(n1().drain()).isEqualTo(drain);
    }

    @Test
    void aMigratedInstanceIsAnEventAndTheDrainCompletesOnlyOnAnEmptyNode() {
        checkoutRunningOnN1();
        apply(new SetNodeDrain("n1", new NodeDrain(at(10), at(70), false), "d1", at(10)));
        apply(new CompleteNodeDrain("n1", "x1", at(11)));
        assertThat(n1().isDraining()).as("i1 still runs").isTrue();

        apply(new ApplyPlan(new Plan("e2", jobId("checkout"), 1, List.of(), List.of(new InstanceStop("i1",
                "migrated to node host-n2 (node host-n1 is draining)")), List.of()), false, "p2", at(12)));
        apply(new UpdateInstances("n1", List.of(new InstanceStatusUpdate("i1", InstanceState.COMPLETE, null, Map.of())),
                "u2", at(13)));
        apply(new CompleteNodeDrain("n1", "x2", at(14)));

        assertThat(n1().isDraining()).isFalse();
        assertThat(n1().status()).isEqualTo(NodeStatus.READY);
        assertThat(n1().eligibility()).as("a drained node stays ineligible").isEqualTo(NodeEligibility.INELIGIBLE);
        assertThat(nodeEvents()).extracting(Event::level, Event::reason)
                .containsSubsequence(tuple(EventLevel.NORMAL, "NodeDraining"), tuple(EventLevel.NORMAL, "Migrated"),
                        tuple(EventLevel.NORMAL, "NodeDrained"));
    }

    @Test
    void theDeadlineStopsWhatIsLeftAndEvaluatesItsJobs() {
        checkoutRunningOnN1();
        apply(new SetNodeDrain("n1", new NodeDrain(at(10), at(70), false), "d1", at(10)));

        ApplyResult result = apply(new NodeDrainDeadline("n1", "x1", at(70)));

        assertThat(state.view().instance("i1").orElseThrow().desired()).isEqualTo(DesiredStatus.STOP);
        assertThat(state.view().instance("i1").orElseThrow().reason()).isEqualTo("node drain deadline reached");
        assertThat(n1().drain().deadlineReached()).isTrue();
        assertThat(result.evaluationIds()).hasSize(1);
        assertThat(nodeEvents()).extracting(Event::level, Event::reason)
                .contains(tuple(EventLevel.WARNING, "NodeDrainDeadline"));
    }

    @Test
    void eligibilityOnCancelsADrainAndOffKeepsTheInstances() {
        checkoutRunningOnN1();
        apply(new SetNodeEligibility("n1", NodeEligibility.INELIGIBLE, "c1", at(5)));
        assertThat(n1().eligibility()).isEqualTo(NodeEligibility.INELIGIBLE);
        assertThat(state.view().instance("i1").orElseThrow().isLive()).isTrue();

        apply(new SetNodeDrain("n1", new NodeDrain(at(10), at(70), false), "d1", at(10)));
        apply(new SetNodeEligibility("n1", NodeEligibility.ELIGIBLE, "c2", at(11)));

        assertThat(n1().isDraining()).isFalse();
        assertThat(n1().status()).isEqualTo(NodeStatus.READY);
        assertThat(n1().eligibility()).isEqualTo(NodeEligibility.ELIGIBLE);
        assertThat(nodeEvents()).extracting(Event::reason).contains("NodeEligibility", "NodeDrainCancelled");
    }

    @Test
    void aCancelledDrainLeavesTheNodeIneligible() {
        checkoutRunningOnN1();
        apply(new SetNodeDrain("n1", new NodeDrain(at(10), at(70), false), "d1", at(10)));
        apply(new SetNodeDrain("n1", null, "d2", at(11)));
        assertThat(n1().isDraining()).isFalse();
        assertThat(n1().status()).isEqualTo(NodeStatus.READY);
        assertThat(n1().eligibility()).isEqualTo(NodeEligibility.INELIGIBLE);
    }

    @Test
    void conditionChangesAreEventsAndASevereOneClearingUnblocksEvaluations() {
        apply(new UpsertNode(node("n1"), "c1", at(0)));
        NodeCondition diskFine = new NodeCondition(NodeCondition.DISK_PRESSURE, ConditionStatus.FALSE, "DiskAvailable",
                "50% used", at(1));
        NodeCondition clockUnknown = new NodeCondition(NodeCondition.CLOCK_UNSYNCHRONIZED, ConditionStatus.UNKNOWN,
                "ClockStateUnknown", "nothing can tell", at(1));
        apply(new SetNodeConditions("n1", List.of(diskFine, clockUnknown), "k1", at(1)));
        assertThat(nodeEvents()).extracting(Event::reason).doesNotContain("NodeConditionChanged");

        NodeCondition diskFull = diskFine.update(ConditionStatus.TRUE, "DiskLow", "95% used", at(2));
        apply(new SetNodeConditions("n1", List.of(diskFull, clockUnknown), "k2", at(2)));
        assertThat(n1().placementBlocker()).contains("node has disk pressure");
        // A job that cannot be placed waits as a blocked evaluation.
        apply(new RegisterJob(job("checkout"), "e1", at(3)));
        apply(new ApplyPlan(new Plan("e1", jobId("checkout"), 1, List.of(), List.of(), List.of(
                new io.herd.api.PlacementFailure("web", 1, 1, Map.of("node has disk pressure", 1)))), false, "p1",
                at(4)));
        assertThat(state.view().evaluationsOfJob(jobId("checkout"))).extracting(Evaluation::status)
                .contains(EvaluationStatus.BLOCKED);

        ApplyResult cleared = apply(new SetNodeConditions("n1", List.of(diskFull.update(ConditionStatus.FALSE,
                "DiskAvailable", "60% used", at(5)), clockUnknown), "k3", at(5)));

        assertThat(cleared.evaluationIds()).hasSize(1);
        assertThat(nodeEvents()).filteredOn(event -> event.reason().equals("NodeConditionChanged"))
                .extracting(Event::level, Event::message)
                .containsExactly(tuple(EventLevel.WARNING, "DiskPressure is true: 95% used"),
                        tuple(EventLevel.NORMAL, "DiskPressure is false: 60% used"));
    }
}

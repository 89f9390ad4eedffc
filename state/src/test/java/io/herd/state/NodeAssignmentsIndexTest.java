package io.herd.state;

import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.NodeStatus;
import io.herd.api.Plan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.herd.state.StateFixtures.at;
import static io.herd.state.StateFixtures.instance;
import static io.herd.state.StateFixtures.job;
import static io.herd.state.StateFixtures.jobId;
import static io.herd.state.StateFixtures.node;
import static org.assertj.core.api.Assertions.assertThat;

/** What the store publishes for reads without the state lock: per-node assignments indexes (agents' blocking
 * queries wait on them) and node records (heartbeats look them up). */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class NodeAssignmentsIndexTest {
    private final StateStore store = new StateStore();

    /** n1 and n2 registered (index 1, 2), job checkout registered with evaluation e1 (index 3). */
    private void setUp() {
        store.apply(1, new UpsertNode(node("n1"), "c1", at(0)));
        store.apply(2, new UpsertNode(node("n2"), "c2", at(0)));
        store.apply(3, new RegisterJob(job("checkout"), "e1", at(1)));
    }

    private long assignmentsIndex(String nodeId) {
        return assignmentsIndex(store, nodeId);
    }

    /** The state's answer, checked against the copy the store publishes for lock-free waiting. */
    private static long assignmentsIndex(StateStore store, String nodeId) {
        long index = store.read(view -> view.nodeAssignmentsIndex(nodeId));
        assertThat(store.nodeAssignmentsIndex(nodeId)).isEqualTo(index);
        assertThat(store.nodeAssignments(nodeId).instances())
                .containsExactlyElementsOf(store.read(view -> view.instancesOnNode(nodeId)));
        return index;
    }

    private void placeOnN1(long index, String instanceId) {
        store.apply(index, new ApplyPlan(new Plan("e1", jobId("checkout"), 1,
                List.of(instance(instanceId, "checkout", "n1")), List.of(), List.of()), false, "p" + index, at(index)));
    }

    @Test
    void movesOnlyForTheNodeWhoseInstancesChanged() {
        setUp();
        assertThat(assignmentsIndex("n1")).isZero();

        placeOnN1(4, "i1");
        assertThat(assignmentsIndex("n1")).isEqualTo(4);
        assertThat(assignmentsIndex("n2")).isZero();

        // Reported running by n1's agent: n1 changed again; a job registration changes no node.
        store.apply(5, new UpdateInstances("n1", List.of(new InstanceStatusUpdate("i1", InstanceState.RUNNING, null,
                Map.of())), "c5", at(5)));
        store.apply(6, new RegisterJob(job("report"), "e2", at(6)));
        assertThat(assignmentsIndex("n1")).isEqualTo(5);

        // n1 goes down: its instance is lost. Then garbage collection removes it.
        store.apply(7, new SetNodeStatus("n1", NodeStatus.DOWN, "c7", at(7)));
        assertThat(assignmentsIndex("n1")).isEqualTo(7);
        store.apply(8, new GarbageCollect(List.of("i1"), List.of(), at(8)));
        assertThat(assignmentsIndex("n1")).isEqualTo(8);
        assertThat(assignmentsIndex("n2")).isZero();
    }

    @Test
    void aRestoredStateAnswersTheSnapshotIndexForEveryNode() {
        setUp();
        placeOnN1(4, "i1");
        store.apply(5, new RegisterJob(job("report"), "e2", at(5)));

        StateStore restored = new StateStore();
        restored.restore(store.toData());

        assertThat(assignmentsIndex(restored, "n1")).isEqualTo(5);
        assertThat(assignmentsIndex(restored, "n2")).isEqualTo(5);
        restored.apply(6, new ApplyPlan(new Plan("e2", jobId("report"), 1,
                List.of(instance("r1", "report", "n2")), List.of(), List.of()), false, "p6", at(6)));
        assertThat(assignmentsIndex(restored, "n2")).isEqualTo(6);
        assertThat(assignmentsIndex(restored, "n1")).isEqualTo(5);
    }

    @Test
    void aWaiterWakesWhenItsNodeChanges() throws Exception {
        setUp();
        CompletableFuture<Long> waiter = waitFor("n1", 3, Duration.ofSeconds(15));

        placeOnN1(4, "i1");

        assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo(4);
    }

    @Test
    void aWaiterSleepsThroughChangesOfOtherNodes() throws Exception {
        setUp();
        placeOnN1(4, "i1");
        CompletableFuture<Long> n2Waiter = waitFor("n2", 0, Duration.ofMillis(300));
        CompletableFuture<Long> n1Waiter = waitFor("n1", 4, Duration.ofSeconds(15));

        store.apply(5, new UpdateInstances("n1", List.of(new InstanceStatusUpdate("i1", InstanceState.RUNNING, null,
                Map.of())), "c5", at(5)));

        assertThat(n1Waiter.get(10, TimeUnit.SECONDS)).isEqualTo(5);
        // Timed out with n2's unchanged index, although the state's index moved twice while it waited.
        assertThat(n2Waiter.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void returnsAtOnceWhenTheNodeAlreadyChanged() throws InterruptedException {
        setUp();
        placeOnN1(4, "i1");

        long started = System.nanoTime();
        assertThat(store.awaitNodeAssignmentsAfter("n1", 3, Duration.ofSeconds(10))).isEqualTo(4);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void aRestoreWakesEveryWaiter() throws Exception {
        setUp();
        placeOnN1(4, "i1");
        StateData snapshot = store.toData();
        CompletableFuture<Long> waiter = waitFor("n2", 0, Duration.ofSeconds(15));

        store.restore(snapshot);

        assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo(4);
    }

    @Test
    void nodesAreReadableWithoutTheStateLockAsOfTheLastApply() {
        setUp();
        assertThat(store.node("n1")).contains(store.read(view -> view.node("n1")).orElseThrow());

        store.apply(4, new SetNodeStatus("n1", NodeStatus.DOWN, "c4", at(4)));
        assertThat(store.node("n1").orElseThrow().status()).isEqualTo(NodeStatus.DOWN);
        assertThat(store.node("n3")).isEmpty();

        StateStore restored = new StateStore();
        restored.restore(store.toData());
        assertThat(restored.node("n1").orElseThrow().status()).isEqualTo(NodeStatus.DOWN);
        assertThat(restored.node("n2")).isPresent();
        restored.restore(StateData.empty());
        assertThat(restored.node("n1")).isEmpty();
    }

    private CompletableFuture<Long> waitFor(String nodeId, long afterIndex, Duration timeout) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return store.awaitNodeAssignmentsAfter(nodeId, afterIndex, timeout);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, Thread::startVirtualThread);
    }
}

package io.herd.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.herd.state.StateFixtures.at;
import static io.herd.state.StateFixtures.job;
import static io.herd.state.StateFixtures.jobId;
import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class StateStoreTest {
    private final StateStore store = new StateStore();

    @Test
    void appliesAndReadsUnderItsLocks() {
        ApplyResult result = store.apply(3, new RegisterJob(job("checkout"), "e1", at(0)));

        assertThat(result.changed()).isTrue();
        assertThat(store.index()).isEqualTo(3);
        long version = store.read(view -> view.job(jobId("checkout")).orElseThrow().version());
        assertThat(version).isEqualTo(1);
        assertThat(store.toData().jobs()).hasSize(1);
    }

    @Test
    void theNodeHeartbeatsReadFollowsEveryNodeOperation() {
        store.apply(1, new UpsertNode(StateFixtures.node("n1"), "c1", at(1)));
        store.apply(2, new SetNodeEligibility("n1", io.herd.api.NodeEligibility.INELIGIBLE, "c2", at(2)));
        assertThat(store.node("n1").orElseThrow().eligibility()).isEqualTo(io.herd.api.NodeEligibility.INELIGIBLE);
        io.herd.api.NodeCondition pressure = new io.herd.api.NodeCondition(io.herd.api.NodeCondition.DISK_PRESSURE,
                io.herd.api.ConditionStatus.TRUE, "DiskLow", "95% used", at(3));
        store.apply(3, new SetNodeConditions("n1", List.of(pressure), "c3", at(3)));
        assertThat(store.node("n1").orElseThrow().conditions()).containsExactly(pressure);
        store.apply(4, new SetNodeDrain("n1", new io.herd.api.NodeDrain(at(4), at(64), false), "c4", at(4)));
        assertThat(store.node("n1").orElseThrow().isDraining()).isTrue();
        store.apply(5, new NodeDrainDeadline("n1", "c5", at(64)));
        assertThat(store.node("n1").orElseThrow().drain().deadlineReached()).isTrue();
        store.apply(6, new CompleteNodeDrain("n1", "c6", at(65)));
        assertThat(store.node("n1").orElseThrow().isDraining()).isFalse();
        assertThat(store.node("n1")).isEqualTo(store.read(view -> view.node("n1")));
    }

    @Test
    void awaitReturnsAtOnceWhenTheIndexAlreadyPassed() throws InterruptedException {
        store.apply(5, new RegisterServer("s1", "a", "b", at(0)));

        long started = System.nanoTime();
        assertThat(store.awaitIndexAfter(4, Duration.ofSeconds(10))).isEqualTo(5);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void awaitWakesOnApply() throws Exception {
        store.apply(5, new RegisterServer("s1", "a", "b", at(0)));
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Long> waiter = CompletableFuture.supplyAsync(() -> {
            waiting.countDown();
            try {
                return store.awaitIndexAfter(5, Duration.ofSeconds(15));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, Thread::startVirtualThread);
        waiting.await();
        Thread.sleep(50); // let the waiter park

        long started = System.nanoTime();
        // An apply that changes nothing still moves the index and wakes the waiter.
        store.apply(6, new DeregisterJob(jobId("nothing"), false, "e1", at(1)));

        assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo(6);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void awaitTimesOutWithTheUnchangedIndex() throws InterruptedException {
        store.apply(5, new RegisterServer("s1", "a", "b", at(0)));

        long started = System.nanoTime();
        long index = store.awaitIndexAfter(5, Duration.ofMillis(200));

        assertThat(index).isEqualTo(5);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    @Test
    void awaitWithANonPositiveTimeoutDoesNotWait() throws InterruptedException {
        assertThat(store.awaitIndexAfter(0, Duration.ZERO)).isZero();
        assertThat(store.awaitIndexAfter(0, Duration.ofSeconds(-1))).isZero();
    }

    @Test
    void restoreReplacesTheStateAndWakesWaiters() throws Exception {
        ClusterState source = new ClusterState();
        source.apply(40, new RegisterJob(job("cart"), "e1", at(0)));
        CompletableFuture<Long> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return store.awaitIndexAfter(0, Duration.ofSeconds(15));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, Thread::startVirtualThread);

        store.restore(source.toData());

        assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo(40);
        assertThat(store.toData()).isEqualTo(source.toData());
        List<String> jobIds = store.read(view -> view.jobs().stream().map(io.herd.api.Job::id).toList());
        assertThat(jobIds).containsExactly(jobId("cart"));
    }

    @Test
    void awaitIsInterruptible() throws Exception {
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                store.awaitIndexAfter(0, Duration.ofMinutes(1));
            } catch (InterruptedException expected) {
                Thread.currentThread().interrupt();
            }
        });
        Thread.sleep(50);
        waiter.interrupt();

        assertThat(waiter.join(Duration.ofSeconds(5))).isTrue();
    }
}

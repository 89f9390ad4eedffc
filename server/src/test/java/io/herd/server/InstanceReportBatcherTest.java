package io.herd.server;

import io.herd.api.ErrorCode;
import io.herd.api.HerdException;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.state.Command;
import io.herd.state.UpdateInstances;
import io.herd.state.UpdateInstancesBatch;
import io.herd.testkit.FakeClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class InstanceReportBatcherTest {
    private final List<Command> proposed = new CopyOnWriteArrayList<>();
    private InstanceReportBatcher batcher;

    @AfterEach
    void close() {
        if (batcher != null) {
            batcher.close();
        }
    }

    private static List<InstanceStatusUpdate> running(String instanceId) {
        return List.of(new InstanceStatusUpdate(instanceId, InstanceState.RUNNING, null, Map.of()));
    }

    private CompletableFuture<Void> reportAsync(String nodeId, String instanceId) {
        return CompletableFuture.runAsync(() -> batcher.report(nodeId, running(instanceId)), Thread::startVirtualThread);
    }

    @Test
    void aLoneReportIsProposedAsItsOwnCommand() {
        batcher = new InstanceReportBatcher(command -> proposed.add(command), new FakeClock());

        batcher.report("n1", running("i1"));

        assertThat(proposed).singleElement().isInstanceOfSatisfying(UpdateInstances.class, command -> {
            assertThat(command.nodeId()).isEqualTo("n1");
            assertThat(command.updates()).isEqualTo(running("i1"));
        });
    }

    @Test
    void reportsArrivingDuringAProposalGoIntoTheNextOneTogether() throws Exception {
        CountDownLatch firstProposed = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        Function<Command, Object> proposer = command -> {
            proposed.add(command);
            if (proposed.size() == 1) {
                firstProposed.countDown();
                try {
                    releaseFirst.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            return null;
        };
        batcher = new InstanceReportBatcher(proposer, new FakeClock());

        CompletableFuture<Void> first = reportAsync("n1", "i1");
        firstProposed.await();
        List<CompletableFuture<Void>> waiting = List.of(reportAsync("n2", "i2"), reportAsync("n3", "i3"),
                reportAsync("n4", "i4"));
        await().atMost(10, TimeUnit.SECONDS).until(() -> waiting.stream().allMatch(future -> !future.isDone())
                && queued() == 3);
        assertThat(first).isNotDone();
        releaseFirst.countDown();

        first.get(10, TimeUnit.SECONDS);
        for (CompletableFuture<Void> report : waiting) {
            report.get(10, TimeUnit.SECONDS);
        }
        assertThat(proposed).hasSize(2);
        assertThat(proposed.get(1)).isInstanceOfSatisfying(UpdateInstancesBatch.class, batch ->
                assertThat(batch.reports()).extracting(UpdateInstancesBatch.NodeReport::nodeId)
                        .containsExactlyInAnyOrder("n2", "n3", "n4"));
    }

    @Test
    void aFailedProposalFailsEveryReportInIt() {
        batcher = new InstanceReportBatcher(command -> {
            throw new HerdException(ErrorCode.NO_LEADER, "no leader");
        }, new FakeClock());

        assertThatThrownBy(() -> batcher.report("n1", running("i1")))
                .isInstanceOfSatisfying(HerdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NO_LEADER));
    }

    @Test
    void aClosedBatcherRefusesReports() {
        batcher = new InstanceReportBatcher(command -> proposed.add(command), new FakeClock());
        batcher.close();

        assertThatThrownBy(() -> batcher.report("n1", running("i1")))
                .isInstanceOfSatisfying(HerdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
        assertThat(proposed).isEmpty();
    }

    private int queued() {
        return batcher.queued();
    }
}

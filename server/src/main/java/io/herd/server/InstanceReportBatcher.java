package io.herd.server;

import io.herd.api.ErrorCode;
import io.herd.api.HerdException;
import io.herd.api.InstanceStatusUpdate;
import io.herd.state.Command;
import io.herd.state.UpdateInstances;
import io.herd.state.UpdateInstancesBatch;
import io.herd.state.UpdateInstancesBatch.NodeReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;

/**
 * Group commit of agents' instance reports: every report that arrives while a proposal is in flight goes into the
 * next one, as one {@link UpdateInstancesBatch}. With thousands of agents reporting at once, one Raft entry (with
 * its encoding, log write and apply) per report was the limit; alone, a report is proposed at once as before.
 * Each caller still waits until its report is committed, so an agent's retry logic is unchanged.
 */
final class InstanceReportBatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InstanceReportBatcher.class);
    /** Keeps one entry (its JSON in the log, its apply under the write lock) to a modest size. */
    static final int MAX_REPORTS_PER_COMMAND = 500;

    private record Pending(NodeReport report, CompletableFuture<Void> committed) {}

    private final Function<Command, ?> proposer;
    private final InstantSource clock;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    /** @param proposer proposes a command and returns once it is applied, or throws {@link HerdException} */
    InstanceReportBatcher(Function<Command, ?> proposer, InstantSource clock) {
        this.proposer = proposer;
        this.clock = clock;
        this.thread = Thread.ofPlatform().name("instance-report-batcher").daemon().start(this::run);
    }

    /** Proposes the report with whatever else is waiting and returns once it is committed; throws if it was not. */
    void report(String nodeId, List<InstanceStatusUpdate> updates) {
        CompletableFuture<Void> committed = new CompletableFuture<>();
        if (!running) {
            throw new HerdException(ErrorCode.UNAVAILABLE, "the server is shutting down; retry");
        }
        queue.add(new Pending(new NodeReport(nodeId, updates), committed));
        try {
            committed.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HerdException(ErrorCode.UNAVAILABLE, "interrupted while committing", List.of(), e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof HerdException herd ? herd
                    : new HerdException(ErrorCode.INTERNAL, "committing the report failed: " + e.getCause(), List.of(),
                            e.getCause());
        }
    }

    private void run() {
        while (running) {
            List<Pending> batch = new ArrayList<>();
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(batch, MAX_REPORTS_PER_COMMAND - 1);
            String commandId = UUID.randomUUID().toString();
            // A lone report stays the command it always was.
            Command command = batch.size() == 1
                    ? new UpdateInstances(batch.getFirst().report().nodeId(), batch.getFirst().report().updates(),
                            commandId, clock.instant())
                    : new UpdateInstancesBatch(batch.stream().map(Pending::report).toList(), commandId,
                            clock.instant());
            try {
                proposer.apply(command);
                batch.forEach(pending -> pending.committed().complete(null));
            } catch (RuntimeException e) {
                if (running) {
                    LOG.debug("committing {} instance reports failed: {}", batch.size(), e.toString());
                }
                batch.forEach(pending -> pending.committed().completeExceptionally(e));
            }
        }
        HerdException closed = new HerdException(ErrorCode.UNAVAILABLE, "the server is shutting down; retry");
        for (Pending pending; (pending = queue.poll()) != null; ) {
            pending.committed().completeExceptionally(closed);
        }
    }

    /** Reports waiting for the next proposal. */
    int queued() {
        return queue.size();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}

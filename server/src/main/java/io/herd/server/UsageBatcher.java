package io.herd.server;

import io.herd.state.Command;
import io.herd.state.RecordUsage;
import io.herd.state.usage.UsageReading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Gathers agents' usage samples on the leader and commits them as one {@link RecordUsage} every
 * {@link #FLUSH_INTERVAL}, however many agents report: with every agent reporting each 10 s, one Raft entry per
 * report would be thousands of entries a second on a large fleet, for data nobody waits on.
 *
 * <p>Unlike instance reports, agents are not made to wait for the commit: a usage report is answered once queued.
 * A leader that dies loses what it had queued (at most one interval of samples), which a history at 10 s
 * resolution shows as one missing point; the queue is bounded so that a stalled Raft group cannot exhaust memory
 * (samples beyond it are dropped and counted).
 */
final class UsageBatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UsageBatcher.class);
    static final Duration FLUSH_INTERVAL = Duration.ofSeconds(2);
    /** Keeps one entry to a few MiB of JSON. */
    static final int MAX_READINGS_PER_COMMAND = 20_000;
    static final int MAX_QUEUED = 200_000;

    private final Function<Command, ?> proposer;
    private final InstantSource clock;
    private final LinkedBlockingQueue<UsageReading> queue = new LinkedBlockingQueue<>(MAX_QUEUED);
    private final AtomicLong dropped = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    /** @param proposer proposes a command and returns once it is applied, or throws */
    UsageBatcher(Function<Command, ?> proposer, InstantSource clock) {
        this.proposer = proposer;
        this.clock = clock;
        this.thread = Thread.ofPlatform().name("usage-batcher").daemon().start(this::run);
    }

    /** Queues readings for the next command; returns how many were queued (the rest were dropped: queue full). */
    int add(List<UsageReading> readings) {
        int queued = 0;
        for (UsageReading reading : readings) {
            if (queue.offer(reading)) {
                queued++;
            } else {
                dropped.incrementAndGet();
            }
        }
        return queued;
    }

    /** Samples dropped because the queue was full. */
    long dropped() {
        return dropped.get();
    }

    private void run() {
        while (running) {
            List<UsageReading> batch = new ArrayList<>();
            try {
                batch.add(queue.take());
                long deadline = System.nanoTime() + FLUSH_INTERVAL.toNanos();
                while (batch.size() < MAX_READINGS_PER_COMMAND) {
                    queue.drainTo(batch, MAX_READINGS_PER_COMMAND - batch.size());
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0 || batch.size() >= MAX_READINGS_PER_COMMAND) {
                        break;
                    }
                    UsageReading next = queue.poll(remaining, TimeUnit.NANOSECONDS);
                    if (next != null) {
                        batch.add(next);
                    }
                }
            } catch (InterruptedException e) {
                break;
            }
            try {
                proposer.apply(new RecordUsage(batch, clock.instant()));
            } catch (RuntimeException e) {
                if (running) {
                    LOG.debug("committing {} usage samples failed; they are dropped: {}", batch.size(), e.toString());
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}

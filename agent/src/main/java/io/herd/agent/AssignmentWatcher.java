package io.herd.agent;

import io.herd.api.Instance;
import io.herd.client.HerdClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * Holds a blocking query on this node's assignments ({@code GET /v1/nodes/{id}/instances?index=N&wait=30s}) and
 * reconciles after every answer. Errors are logged and retried with backoff; they never end the loop.
 *
 * <p>Any server answers reads from its own replica, and an instance missing from the answer gets stopped, so an
 * answer older than one already seen (a lagging follower) is ignored: it could stop healthy tasks. Only after the
 * node registered again ({@link #resetIndex()}: the servers lost it, their state may have been rebuilt) is a
 * smaller index taken as the new truth.
 */
public final class AssignmentWatcher implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(30);
    /** How soon to look again when an instance could not be started for a passing reason. */
    static final Duration RETRY = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    /** Never ask more often than this while nothing changes, even if a server answers without blocking. */
    private static final Duration MIN_INTERVAL = Duration.ofMillis(250);
    private static final Logger log = LoggerFactory.getLogger(AssignmentWatcher.class);

    private final HerdClient client;
    private final String nodeId;
    /** Reconciles; returns true when it wants to be called again soon. */
    private final Predicate<List<Instance>> reconcile;
    private volatile boolean closed;
    private volatile boolean acceptOlder;
    private Thread thread;

    public AssignmentWatcher(HerdClient client, String nodeId, Predicate<List<Instance>> reconcile) {
        this.client = client;
        this.nodeId = nodeId;
        this.reconcile = reconcile;
    }

    public synchronized void start() {
        if (thread == null) {
            thread = Thread.ofVirtual().name("herd-assignment-watcher").start(this::run);
        }
    }

    private void run() {
        long index = 0;
        boolean retrySoon = false;
        Duration backoff = Duration.ofMillis(500);
        while (!closed) {
            try {
                long asked = System.nanoTime();
                HerdClient.Indexed<List<Instance>> answer =
                        client.nodeInstances(nodeId, index, retrySoon ? RETRY : WAIT);
                if (closed) {
                    return;
                }
                boolean unchanged = answer.index() == index;
                if (answer.index() < index && !acceptOlder) {
                    log.debug("ignoring assignments at index {}, older than {}", answer.index(), index);
                    unchanged = true;
                } else {
                    acceptOlder = false;
                    index = answer.index();
                    retrySoon = reconcile.test(answer.value());
                }
                backoff = Duration.ofMillis(500);
                Duration took = Duration.ofNanos(System.nanoTime() - asked);
                if (unchanged && took.compareTo(MIN_INTERVAL) < 0) {
                    Thread.sleep(MIN_INTERVAL.minus(took));
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                log.warn("cannot watch the assignments of node {}: {}; retrying in {} ms", nodeId, e.getMessage(),
                        backoff.toMillis());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    /** The node registered again: the next answer is the truth even if its index is smaller. */
    public void resetIndex() {
        acceptOlder = true;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (thread != null) {
            thread.interrupt();
        }
    }
}

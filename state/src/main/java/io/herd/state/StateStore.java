package io.herd.state;

import io.herd.api.Instance;
import io.herd.api.Node;
import io.herd.state.usage.UsageHistory;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * The thread-safe holder of a {@link ClusterState}: the Raft state machine applies commands under the write lock,
 * HTTP handlers and scheduler workers read under the read lock, and blocking queries wait for the index to pass
 * the one they already saw.
 *
 * <p>Index waiting has its own lock so that waiters never hold, or queue behind, the state lock while they sleep;
 * it is a {@link ReentrantLock} rather than a monitor so that waiting virtual threads park cleanly.
 */
public final class StateStore {
    private final ReentrantReadWriteLock stateLock = new ReentrantReadWriteLock();
    /** Guarded by {@link #stateLock}: replaced wholesale by {@link #restore}, changed by {@link #apply}. */
    private ClusterState state;

    private final ReentrantLock indexLock = new ReentrantLock();
    private final Condition indexChanged = indexLock.newCondition();
    /** Written under {@link #indexLock} after the state changed; volatile so {@link #index()} needs no lock. */
    private volatile long index;
    /**
     * Per node, a future completed (and removed) by the next apply that changes the node's instances: agents'
     * blocking queries wait on their own node only, so one agent's report does not wake thousands of others.
     */
    private final ConcurrentHashMap<String, CompletableFuture<Void>> nodeAssignmentWaiters = new ConcurrentHashMap<>();
    /**
     * A copy of each node's instances with its assignments index ({@link StateView#nodeAssignmentsIndex}),
     * published after each apply for the nodes it changed, so that agents' blocking queries neither check nor
     * read under the state lock: thousands of short reads queued on the lock behind a waiting writer delayed
     * every apply. A node without an entry has no instances and answers {@link #restoredIndex}.
     */
    private final ConcurrentHashMap<String, NodeAssignments> nodeAssignments = new ConcurrentHashMap<>();
    private volatile long restoredIndex;

    /** The instances on a node and the index at which they last changed. */
    public record NodeAssignments(long index, List<Instance> instances) {
        public NodeAssignments {
            instances = List.copyOf(instances);
        }
    }
    /**
     * A copy of every node record, published after each apply that changes one ({@link UpsertNode},
     * {@link SetNodeStatus} and the node operations: eligibility, drain, conditions), for the thousands of heartbeats a second that only look
     * up their node and must not queue on the state lock.
     */
    private final ConcurrentHashMap<String, Node> nodes = new ConcurrentHashMap<>();
    /** The initial state's, kept by every state restored from a snapshot. */
    private final EventPolicy eventPolicy;
    /** The initial state's usage retention, kept by every state restored from a snapshot. */
    private final java.time.Duration usageRetention;
    /** The current state's usage history, published so that queries need not take the state lock. */
    private volatile UsageHistory usage;

    public StateStore() {
        this(new ClusterState());
    }

    public StateStore(ClusterState initial) {
        this.state = requireNonNull(initial, "initial is null");
        this.eventPolicy = initial.eventPolicy();
        this.usageRetention = initial.usage().retention();
        this.usage = initial.usage();
        this.index = initial.view().index();
        publishAll(initial);
    }

    /** Applies a committed command (see {@link ClusterState#apply}) and wakes every index waiter. */
    public ApplyResult apply(long index, Command command) {
        stateLock.writeLock().lock();
        try {
            return state.apply(index, command);
        } finally {
            // Also after an exception: the index moved, and waiters must see it. Published under the write lock
            // so that concurrent applies and restores publish in the order they changed the state.
            String changedNode = switch (command) {
                case UpsertNode upsert -> upsert.node().id();
                case SetNodeStatus status -> status.nodeId();
                case SetNodeEligibility eligibility -> eligibility.nodeId();
                case SetNodeDrain drain -> drain.nodeId();
                case NodeDrainDeadline deadline -> deadline.nodeId();
                case CompleteNodeDrain complete -> complete.nodeId();
                case SetNodeConditions conditions -> conditions.nodeId();
                case null, default -> null;
            };
            if (changedNode != null) {
                state.view().node(changedNode).ifPresent(node -> nodes.put(node.id(), node));
            }
            for (String nodeId : state.nodesChangedByLastApply()) {
                publishAssignments(state.view(), nodeId);
                wakeNodeWaiters(nodeId);
            }
            publishIndex(state.view().index());
            stateLock.writeLock().unlock();
        }
    }

    /**
     * Runs {@code reader} under the read lock. The {@link StateView} it gets must not escape: whatever the reader
     * needs afterwards it returns (view methods return immutable copies, which may).
     */
    public <T> T read(Function<StateView, T> reader) {
        stateLock.readLock().lock();
        try {
            return reader.apply(state.view());
        } finally {
            stateLock.readLock().unlock();
        }
    }

    /**
     * The cpu and memory history as of the last apply, read without the state lock: it has its own (see
     * {@link UsageHistory}).
     */
    public UsageHistory usage() {
        return usage;
    }

    /** The Raft log index of the last applied command. */
    public long index() {
        return index;
    }

    /**
     * Blocks until {@link #index()} is greater than {@code afterIndex} or {@code timeout} passes, and returns the
     * index then: greater than {@code afterIndex} unless the wait timed out. Returns at once when the index
     * already passed. Every apply and restore wakes the waiters.
     */
    public long awaitIndexAfter(long afterIndex, Duration timeout) throws InterruptedException {
        long current = index;
        if (current > afterIndex) {
            return current;
        }
        long remaining = timeout.isNegative() ? 0 : saturatedNanos(timeout);
        indexLock.lockInterruptibly();
        try {
            while (index <= afterIndex && remaining > 0) {
                remaining = indexChanged.awaitNanos(remaining);
            }
            return index;
        } finally {
            indexLock.unlock();
        }
    }

    /**
     * Blocks until the instances on {@code nodeId} changed after {@code afterIndex} (see
     * {@link StateView#nodeAssignmentsIndex}) or {@code timeout} passes, and returns that node's assignments index
     * then: greater than {@code afterIndex} unless the wait timed out. Unlike {@link #awaitIndexAfter}, changes of
     * other nodes do not wake the caller.
     */
    public long awaitNodeAssignmentsAfter(String nodeId, long afterIndex, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + (timeout.isNegative() ? 0 : saturatedNanos(timeout));
        while (true) {
            // Registered before reading, so that a change applied after the read completes this very future.
            CompletableFuture<Void> changed = nodeAssignmentWaiters.computeIfAbsent(nodeId,
                    id -> new CompletableFuture<>());
            long current = nodeAssignmentsIndex(nodeId);
            long remaining = deadline - System.nanoTime();
            if (current > afterIndex || remaining <= 0) {
                return current;
            }
            try {
                changed.get(remaining, TimeUnit.NANOSECONDS);
            } catch (TimeoutException timedOut) {
                return nodeAssignmentsIndex(nodeId);
            } catch (ExecutionException impossible) {
                throw new IllegalStateException("a node waiter is only ever completed normally", impossible);
            }
        }
    }

    /** A node as of the last apply, read without the state lock. */
    public Optional<Node> node(String nodeId) {
        return Optional.ofNullable(nodes.get(nodeId));
    }

    /** {@link StateView#nodeAssignmentsIndex} as last published, read without the state lock. */
    public long nodeAssignmentsIndex(String nodeId) {
        return nodeAssignments(nodeId).index();
    }

    /** The instances on a node as of the last apply, with {@link #nodeAssignmentsIndex}; no state lock. */
    public NodeAssignments nodeAssignments(String nodeId) {
        NodeAssignments published = nodeAssignments.get(nodeId);
        return published != null ? published : new NodeAssignments(restoredIndex, List.of());
    }

    private void publishAssignments(StateView view, String nodeId) {
        List<Instance> instances = view.instancesOnNode(nodeId);
        long changed = view.nodeAssignmentsIndex(nodeId);
        if (instances.isEmpty() && changed == restoredIndex) {
            nodeAssignments.remove(nodeId);
        } else {
            nodeAssignments.put(nodeId, new NodeAssignments(changed, instances));
        }
    }

    /**
     * Publishes everything of a state just built or restored; under the write lock (or before sharing). Entries
     * are replaced rather than cleared first, so that a concurrent heartbeat never finds its node missing.
     */
    private void publishAll(ClusterState published) {
        StateView view = published.view();
        restoredIndex = published.restoredIndex();
        Set<String> nodeIds = new HashSet<>(published.nodeAssignmentIndexes().keySet());
        view.instances().forEach(instance -> nodeIds.add(instance.nodeId()));
        nodeAssignments.keySet().retainAll(nodeIds);
        nodeIds.forEach(nodeId -> publishAssignments(view, nodeId));
        Set<String> current = new HashSet<>();
        for (Node node : view.nodes()) {
            nodes.put(node.id(), node);
            current.add(node.id());
        }
        nodes.keySet().retainAll(current);
    }

    private void wakeNodeWaiters(String nodeId) {
        CompletableFuture<Void> waiters = nodeAssignmentWaiters.remove(nodeId);
        if (waiters != null) {
            waiters.complete(null);
        }
    }

    /** A consistent copy of everything, for a snapshot. */
    public StateData toData() {
        return read(view -> state.toData());
    }

    /** Replaces the whole state, as when a snapshot is loaded; wakes the index waiters. */
    public void restore(StateData data) {
        ClusterState restored = ClusterState.fromData(requireNonNull(data, "data is null"), eventPolicy,
                usageRetention);
        stateLock.writeLock().lock();
        try {
            state = restored;
            usage = restored.usage();
            publishAll(restored);
            for (String nodeId : List.copyOf(nodeAssignmentWaiters.keySet())) {
                wakeNodeWaiters(nodeId);
            }
            publishIndex(restored.view().index());
        } finally {
            stateLock.writeLock().unlock();
        }
    }

    /** Lock order: the state lock, then the index lock; waiters take only the index lock. */
    private void publishIndex(long newIndex) {
        indexLock.lock();
        try {
            index = newIndex;
            indexChanged.signalAll();
        } finally {
            indexLock.unlock();
        }
    }

    private static long saturatedNanos(Duration timeout) {
        try {
            return timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return TimeUnit.DAYS.toNanos(365 * 100);
        }
    }
}

package io.herd.state;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
    /** The initial state's, kept by every state restored from a snapshot. */
    private final EventPolicy eventPolicy;

    public StateStore() {
        this(new ClusterState());
    }

    public StateStore(ClusterState initial) {
        this.state = requireNonNull(initial, "initial is null");
        this.eventPolicy = initial.eventPolicy();
        this.index = initial.view().index();
    }

    /** Applies a committed command (see {@link ClusterState#apply}) and wakes every index waiter. */
    public ApplyResult apply(long index, Command command) {
        stateLock.writeLock().lock();
        try {
            return state.apply(index, command);
        } finally {
            // Also after an exception: the index moved, and waiters must see it. Published under the write lock
            // so that concurrent applies and restores publish in the order they changed the state.
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

    /** A consistent copy of everything, for a snapshot. */
    public StateData toData() {
        return read(view -> state.toData());
    }

    /** Replaces the whole state, as when a snapshot is loaded; wakes the index waiters. */
    public void restore(StateData data) {
        ClusterState restored = ClusterState.fromData(requireNonNull(data, "data is null"), eventPolicy);
        stateLock.writeLock().lock();
        try {
            state = restored;
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

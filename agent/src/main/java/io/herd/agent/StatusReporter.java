package io.herd.agent;

import io.herd.api.ErrorKind;
import io.herd.api.HerdException;
import io.herd.api.InstanceStatusUpdate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Sends instance status updates to the servers in batches: changes are collected for {@link #BATCH_WINDOW} so a
 * burst (an instance's tasks starting one after another) goes out as one request, and only the newest update of
 * each instance is sent. A failed send is retried with backoff; an update that arrived meanwhile replaces the one
 * being retried.
 */
public final class StatusReporter implements AutoCloseable {
    static final Duration BATCH_WINDOW = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(StatusReporter.class);

    /** Sends one batch; throws when it could not. */
    @FunctionalInterface
    public interface Sender {
        void send(List<InstanceStatusUpdate> updates);
    }

    private final Sender sender;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition pendingChanged = lock.newCondition();
    // guarded by lock
    private final Map<String, InstanceStatusUpdate> pending = new LinkedHashMap<>();
    private boolean closed;
    private int inFlight;
    private Thread thread;

    public StatusReporter(Sender sender) {
        this.sender = sender;
    }

    /** Starts sending; updates submitted earlier are kept until then. */
    public void start() {
        lock.lock();
        try {
            if (thread == null && !closed) {
                thread = Thread.ofVirtual().name("herd-status-reporter").start(this::run);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Queues an update; never blocks on the network. */
    public void submit(InstanceStatusUpdate update) {
        lock.lock();
        try {
            pending.put(update.instanceId(), update);
            pendingChanged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public void submitAll(Collection<InstanceStatusUpdate> updates) {
        updates.forEach(this::submit);
    }

    /** Waits until everything submitted so far was sent (or {@code timeout} passed); true when it was. */
    public boolean flush(Duration timeout) throws InterruptedException {
        long remaining = timeout.toNanos();
        lock.lock();
        try {
            while ((!pending.isEmpty() || inFlight > 0) && remaining > 0) {
                remaining = pendingChanged.awaitNanos(remaining);
            }
            return pending.isEmpty() && inFlight == 0;
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        Duration backoff = Duration.ofMillis(500);
        while (true) {
            List<InstanceStatusUpdate> batch;
            lock.lock();
            try {
                while (pending.isEmpty() && !closed) {
                    pendingChanged.await();
                }
                if (closed) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            try {
                Thread.sleep(BATCH_WINDOW);
            } catch (InterruptedException e) {
                return;
            }
            lock.lock();
            try {
                batch = new ArrayList<>(pending.values());
                pending.clear();
                inFlight = batch.size();
            } finally {
                lock.unlock();
            }
            boolean retry = false;
            try {
                sender.send(batch);
                backoff = Duration.ofMillis(500);
            } catch (HerdException e) {
                if (e.code().kind() == ErrorKind.UNAVAILABLE || e.code().kind() == ErrorKind.INTERNAL) {
                    log.warn("cannot report {} instance updates ({}); retrying in {} ms", batch.size(), e.getMessage(),
                            backoff.toMillis());
                    retry = true;
                } else {
                    log.warn("the server rejected {} instance updates: {} {}", batch.size(), e.code(), e.getMessage());
                }
            } catch (RuntimeException e) {
                log.warn("cannot report {} instance updates ({}); retrying in {} ms", batch.size(), e.toString(),
                        backoff.toMillis());
                retry = true;
            }
            lock.lock();
            try {
                if (retry) {
                    for (InstanceStatusUpdate update : batch) {
                        pending.putIfAbsent(update.instanceId(), update);
                    }
                }
                inFlight = 0;
                pendingChanged.signalAll();
            } finally {
                lock.unlock();
            }
            if (retry) {
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException e) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    @Override
    public void close() {
        Thread running;
        lock.lock();
        try {
            closed = true;
            pendingChanged.signalAll();
            running = thread;
        } finally {
            lock.unlock();
        }
        if (running != null) {
            running.interrupt();
        }
    }
}

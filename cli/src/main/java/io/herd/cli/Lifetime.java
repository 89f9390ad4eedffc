package io.herd.cli;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;

/**
 * The life of a long-running command ({@code server}, {@code agent}, {@code dev}): what it started is closed, in
 * reverse order, when the JVM shuts down (SIGINT, SIGTERM) or when starting fails half-way. Closing twice is
 * harmless, since each step runs at most once.
 */
final class Lifetime {
    private record Step(String what, AutoCloseable action) {}

    private final Object lock = new Object();
    // guarded by lock
    private final Deque<Step> steps = new ArrayDeque<>();

    private Lifetime() {}

    /** A lifetime whose steps run in a JVM shutdown hook. */
    static Lifetime install() {
        Lifetime lifetime = new Lifetime();
        Runtime.getRuntime().addShutdownHook(new Thread(lifetime::closeAll, "herd-shutdown"));
        return lifetime;
    }

    /** Registers {@code action} to run at shutdown, before every step registered earlier. */
    void onShutdown(String what, AutoCloseable action) {
        synchronized (lock) {
            steps.push(new Step(what, action));
        }
    }

    /** Runs every registered step, newest first; a failing step is reported and the others still run. */
    void closeAll() {
        while (true) {
            Step step;
            synchronized (lock) {
                step = steps.poll();
            }
            if (step == null) {
                return;
            }
            try {
                step.action().close();
            } catch (Exception e) {
                System.err.println("Error while stopping " + step.what() + ": " + Failures.rootMessage(e));
            }
        }
    }

    /** Blocks until the JVM exits; the shutdown hook does the closing. */
    void awaitShutdown() {
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeAll();
        }
    }
}

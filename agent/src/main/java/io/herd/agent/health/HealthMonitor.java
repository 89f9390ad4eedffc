package io.herd.agent.health;

import io.herd.api.Check;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import static java.util.Objects.requireNonNull;

/**
 * Runs the health checks of one instance, each on its own virtual thread, and tells its listener when the
 * instance's health changes (healthy = every check healthy) and when a check with {@code on_failure: restart}
 * turns unhealthy.
 *
 * <p>Checks run only while the instance's tasks run. The runner exposes that as a run generation: a number that
 * changes whenever the tasks start again, or -1 while they do not all run. A new generation resets every check
 * and waits its grace again, so that a restarted task is judged afresh; after asking for a restart, a check waits
 * for the next generation instead of asking again for the same failure.
 */
public final class HealthMonitor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HealthMonitor.class);
    /** How often a check looks whether the tasks run again while they do not. */
    private static final Duration IDLE_POLL = Duration.ofMillis(100);
    /**
     * How often a readiness check runs until it first passes in a run of the tasks (at most its interval): a task
     * is rarely listening at the instant it starts, and waiting a whole interval (10 s by default) after that first
     * miss would hold every deployment up for nothing. Liveness checks ({@code on_failure: restart}) keep their
     * interval, so a slow start never counts failures faster than the spec says.
     */
    static final Duration STARTUP_INTERVAL = Duration.ofSeconds(1);

    /** Told of verdicts; called from the check threads, must not block for long. */
    public interface Listener {
        void healthChanged(boolean healthy, String message);

        /** A liveness check turned unhealthy: restart the tasks. */
        void restartRequested(String service, String message);
    }

    /** One service's check with the probe that runs it. */
    public record NamedCheck(String service, Check check, Probe probe) {
        public NamedCheck {
            requireNonNull(service, "service is null");
            requireNonNull(check, "check is null");
            requireNonNull(probe, "probe is null");
        }
    }

    private final String instanceId;
    private final List<NamedCheck> checks;
    private final LongSupplier runGeneration;
    private final Listener listener;
    private final List<Thread> threads = new ArrayList<>();
    private final Object lock = new Object();
    // guarded by lock
    private final List<CheckState> states = new ArrayList<>();
    private boolean healthy;
    private volatile boolean closed;

    public HealthMonitor(String instanceId, List<NamedCheck> checks, LongSupplier runGeneration, Listener listener) {
        this.instanceId = requireNonNull(instanceId, "instanceId is null");
        this.checks = List.copyOf(checks);
        this.runGeneration = requireNonNull(runGeneration, "runGeneration is null");
        this.listener = requireNonNull(listener, "listener is null");
        for (NamedCheck named : this.checks) {
            states.add(new CheckState(named.check().successThreshold(), named.check().failureThreshold()));
        }
    }

    public void start() {
        for (int i = 0; i < checks.size(); i++) {
            int position = i;
            threads.add(Thread.ofVirtual().name("herd-check-" + instanceId + "-" + checks.get(i).service())
                    .start(() -> loop(position)));
        }
    }

    @Override
    public void close() {
        closed = true;
        threads.forEach(Thread::interrupt);
    }

    private void loop(int position) {
        NamedCheck named = checks.get(position);
        Check check = named.check();
        long judged = -1;
        boolean awaitingRestart = false;
        boolean passedInThisRun = false;
        try {
            while (!closed) {
                long generation = runGeneration.getAsLong();
                if (generation < 0 || awaitingRestart && generation == judged) {
                    Thread.sleep(IDLE_POLL);
                    continue;
                }
                if (generation != judged) {
                    judged = generation;
                    awaitingRestart = false;
                    passedInThisRun = false;
                    reset(position);
                    if (check.grace().isPositive()) {
                        Thread.sleep(check.grace());
                        continue; // the tasks may have restarted during the grace
                    }
                }
                Probe.Result result = named.probe().run(check.timeout());
                if (closed || runGeneration.getAsLong() != judged) {
                    continue; // the tasks changed under the probe: its result says nothing about the new run
                }
                CheckState.Verdict verdict = record(position, result.passed(), named.service() + ": " + result.message());
                passedInThisRun |= result.passed();
                if (verdict == CheckState.Verdict.UNHEALTHY && check.restartsOnFailure()) {
                    awaitingRestart = true;
                    log.info("instance {}: check of {} failed {} times in a row ({}); restarting its tasks", instanceId,
                            named.service(), check.failureThreshold(), result.message());
                    listener.restartRequested(named.service(), result.message());
                }
                boolean startingUp = !passedInThisRun && !check.restartsOnFailure();
                Thread.sleep(startingUp && STARTUP_INTERVAL.compareTo(check.interval()) < 0
                        ? STARTUP_INTERVAL : check.interval());
            }
        } catch (InterruptedException e) {
            // closed
        } catch (RuntimeException e) {
            log.error("instance {}: check of {} stopped", instanceId, named.service(), e);
        }
    }

    private void reset(int position) {
        synchronized (lock) {
            states.get(position).reset();
            updateHealth("restarted; checks start again");
        }
    }

    private CheckState.Verdict record(int position, boolean passed, String message) {
        synchronized (lock) {
            CheckState.Verdict verdict = states.get(position).record(passed);
            updateHealth(message);
            return verdict;
        }
    }

    private void updateHealth(String message) {
        boolean now = states.stream().allMatch(CheckState::healthy);
        if (now != healthy) {
            healthy = now;
            listener.healthChanged(now, message);
        }
    }

    public boolean healthy() {
        synchronized (lock) {
            return healthy;
        }
    }
}

package io.herd.server;

import io.herd.api.Evaluation;
import io.herd.api.EvaluationStatus;
import io.herd.api.Job;
import io.herd.api.Plan;
import io.herd.scheduler.Scheduler;
import io.herd.server.metrics.SchedulerMetrics;
import io.herd.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Leader-only: hands pending evaluations to scheduler workers, at most one evaluation per job at a time (two
 * plans for one job computed side by side would fight), and sends each plan to the {@link PlanApplier}.
 * Pending evaluations live in the replicated state, so a new leader simply picks up where the old one stopped.
 */
final class EvaluationDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EvaluationDispatcher.class);
    private static final Duration RETRY_AFTER_ERROR = Duration.ofSeconds(1);

    private final StateStore store;
    private final Scheduler scheduler;
    private final PlanApplier applier;
    private final InstantSource clock;
    private final SchedulerMetrics metrics;
    private final ExecutorService workers;
    private final Thread dispatcher;
    private final Set<String> jobsInFlight = ConcurrentHashMap.newKeySet();
    /** Nodes' instances and allocations from one evaluation's snapshot to the next (see ClusterSnapshot). */
    private final NodeAllocationCache allocations = new NodeAllocationCache();
    private final Map<String, Instant> failedAt = new ConcurrentHashMap<>();
    private final Object wakeUp = new Object();
    private volatile boolean running = true;

    EvaluationDispatcher(StateStore store, Scheduler scheduler, PlanApplier applier, InstantSource clock, int workerCount,
            SchedulerMetrics metrics) {
        this.metrics = metrics;
        this.store = store;
        this.scheduler = scheduler;
        this.applier = applier;
        this.clock = clock;
        this.workers = Executors.newFixedThreadPool(workerCount, Thread.ofPlatform().name("scheduler-worker-", 0).daemon().factory());
        this.dispatcher = Thread.ofPlatform().name("evaluation-dispatcher").daemon().unstarted(this::dispatchLoop);
    }

    void start() {
        dispatcher.start();
    }

    private void dispatchLoop() {
        while (running) {
            try {
                long seen = store.index();
                // The newest pending evaluation of a job is planned from a view that includes every older one's
                // trigger; applying its plan retires the older ones, so a pile drains in one pass.
                // Evaluations waiting for a delayed reschedule are left alone until they fall due.
                Instant now = clock.instant();
                Map<String, Evaluation> newestPerJob = new java.util.LinkedHashMap<>();
                store.read(view -> view.pendingEvaluations()).stream().filter(evaluation -> evaluation.isDue(now))
                        .forEach(evaluation -> newestPerJob.put(evaluation.jobId(), evaluation));
                for (Evaluation evaluation : newestPerJob.values()) {
                    Instant failed = failedAt.get(evaluation.id());
                    if (failed != null && failed.plus(RETRY_AFTER_ERROR).isAfter(now)) {
                        continue;
                    }
                    if (jobsInFlight.add(evaluation.jobId())) {
                        workers.execute(() -> process(evaluation));
                    }
                }
                store.awaitIndexAfter(seen, Duration.ofMillis(500));
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("evaluation dispatch failed; continuing", e);
            }
        }
    }

    private void process(Evaluation evaluation) {
        // Elapsed time for the latency histogram only; what the scheduler decides takes the injected clock.
        long started = System.nanoTime();
        try {
            // Planned from a copy, outside the state lock: a long pass under the read lock would hold up every
            // apply (see ClusterSnapshot).
            record Input(Job job, ClusterSnapshot cluster) {}
            Input input = store.read(view -> {
                boolean stillPending = view.evaluation(evaluation.id())
                        .map(current -> current.status() == EvaluationStatus.PENDING).orElse(false);
                if (!stillPending) {
                    return null;
                }
                return new Input(view.job(evaluation.jobId()).orElse(null), ClusterSnapshot.of(view, allocations));
            });
            if (input == null || !running) {
                return;
            }
            Plan plan = scheduler.process(evaluation, input.job(), input.cluster(), clock.instant(),
                    ThreadLocalRandom.current());
            if (!running) {
                return;
            }
            PlanApplier.Outcome outcome = applier.apply(plan);
            failedAt.remove(evaluation.id());
            metrics.evaluated(Duration.ofNanos(System.nanoTime() - started), outcome.placed(), outcome.refused(),
                    plan.failures());
            if (!plan.isEmpty() || !plan.failures().isEmpty()) {
                LOG.info("evaluation {} of {} ({}): {} placed, {} stopped{}{}", shortId(evaluation.id()), evaluation.jobId(),
                        evaluation.trigger().wireName(), outcome.placed(), plan.stops().size(),
                        outcome.refused() > 0 ? ", " + outcome.refused() + " refused by the plan applier (retrying)" : "",
                        plan.failures().isEmpty() ? "" : ", unplaced: " + plan.failures().stream()
                                .map(failure -> failure.group() + " x" + failure.unplaced() + " (" + failure.summary() + ")")
                                .toList());
            }
        } catch (RuntimeException e) {
            failedAt.put(evaluation.id(), clock.instant());
            metrics.failed(Duration.ofNanos(System.nanoTime() - started));
            if (running) {
                LOG.warn("evaluation {} of {} failed, retrying in {}: {}", shortId(evaluation.id()), evaluation.jobId(),
                        RETRY_AFTER_ERROR, e.toString());
            }
        } finally {
            jobsInFlight.remove(evaluation.jobId());
            synchronized (wakeUp) {
                wakeUp.notifyAll();
            }
        }
    }

    private static String shortId(String id) {
        return id.length() > 8 ? id.substring(0, 8) : id;
    }

    @Override
    public void close() {
        running = false;
        dispatcher.interrupt();
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

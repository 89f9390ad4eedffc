package io.herd.server.metrics;

import io.herd.api.PlacementFailure;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Duration;
import java.util.Comparator;
import java.util.Map;

/**
 * What the leader's scheduler workers do: evaluations processed and how long each took (scheduling plus
 * committing the plan), instances placed, placements the plan applier refused, and instances that could not be
 * placed by reason. Only the leader schedules, so these move on the leader alone. The queue depth is part of
 * the state ({@code herd_scheduler_evaluations_pending}, see {@link ClusterStateMetrics}).
 */
public final class SchedulerMetrics {
    /** The reason of an unplaced instance when no node was even considered. */
    static final String NO_READY_NODES = "no ready nodes";

    private final Counter evaluations;
    private final Histogram evaluationDuration;
    private final Counter placements;
    private final Counter refused;
    private final Counter placementFailures;

    SchedulerMetrics(PrometheusRegistry registry) {
        evaluations = Counter.builder().name("herd_scheduler_evaluations_total")
                .help("Evaluations processed by scheduler workers, by result (success or error).")
                .labelNames("result").register(registry);
        evaluationDuration = Histogram.builder().name("herd_scheduler_evaluation_duration_seconds")
                .help("Time to process one evaluation: compute the plan and commit it.")
                .classicOnly()
                .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
                .register(registry);
        placements = Counter.builder().name("herd_scheduler_placements_total")
                .help("Instances placed on nodes (committed plans).").register(registry);
        refused = Counter.builder().name("herd_scheduler_placements_refused_total")
                .help("Placements the plan applier refused because the node no longer had room; they are retried.")
                .register(registry);
        placementFailures = Counter.builder().name("herd_scheduler_placement_failures_total")
                .help("Instances a scheduler worker could not place, by the reason that rejected the most nodes.")
                .labelNames("reason").register(registry);
        evaluations.initLabelValues("success");
        evaluations.initLabelValues("error");
    }

    /** An evaluation was processed; {@code placed} and {@code refused} as the plan applier counted them. */
    public void evaluated(Duration elapsed, int placed, int refusedPlacements, Iterable<PlacementFailure> failures) {
        evaluations.labelValues("success").inc();
        evaluationDuration.observe(elapsed.toNanos() / 1e9);
        placements.inc(placed);
        refused.inc(refusedPlacements);
        for (PlacementFailure failure : failures) {
            if (failure.unplaced() > 0) {
                placementFailures.labelValues(mainReason(failure)).inc(failure.unplaced());
            }
        }
    }

    /** An evaluation failed (it is retried). */
    public void failed(Duration elapsed) {
        evaluations.labelValues("error").inc();
        evaluationDuration.observe(elapsed.toNanos() / 1e9);
    }

    /** The reason that rejected the most nodes (ties: the first by name), the one a person would fix first. */
    static String mainReason(PlacementFailure failure) {
        if (failure.nodesEvaluated() == 0 || failure.reasons().isEmpty()) {
            return NO_READY_NODES;
        }
        return failure.reasons().entrySet().stream()
                .max(Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue)
                        .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
                .orElseThrow().getKey();
    }
}

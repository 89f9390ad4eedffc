package io.herd.scheduler;

import io.herd.api.InstanceStop;

import java.util.List;

/**
 * What the reconciler decided, before any node is chosen: instances to stop and instances to place, and when the
 * earliest replacement it held back (a failed instance's delay) falls due, or null, and the job's deployment as it
 * leaves it when that changed (else null).
 */
record Reconciliation(List<InstanceStop> stops, List<PlacementRequest> placements, java.time.Instant nextEvaluationAt,
        io.herd.api.Deployment deployment) {
    Reconciliation(List<InstanceStop> stops, List<PlacementRequest> placements, java.time.Instant nextEvaluationAt) {
        this(stops, placements, nextEvaluationAt, null);
    }

    Reconciliation {
        stops = List.copyOf(stops);
        placements = List.copyOf(placements);
    }
}

package io.herd.scheduler;

import io.herd.api.InstanceStop;

import java.util.List;

/**
 * What the reconciler decided, before any node is chosen: instances to stop and instances to place, and when the
 * earliest replacement it held back (a failed instance's delay) falls due, or null.
 */
record Reconciliation(List<InstanceStop> stops, List<PlacementRequest> placements, java.time.Instant nextEvaluationAt) {
    Reconciliation {
        stops = List.copyOf(stops);
        placements = List.copyOf(placements);
    }
}

package io.herd.scheduler;

import io.herd.api.InstanceStop;

import java.util.List;

/**
 * What the reconciler decided, before any node is chosen: instances to stop and instances to place, and when the
 * earliest replacement it held back (a failed instance's delay) falls due, or null, and the job's deployment as it
 * leaves it when that changed (else null), and when the deployment next needs a look (an instance reaches its
 * min_healthy_time or healthy_deadline, a progress deadline), or null.
 */
record Reconciliation(List<InstanceStop> stops, List<PlacementRequest> placements, java.time.Instant nextEvaluationAt,
        io.herd.api.Deployment deployment, java.time.Instant deploymentCheckAt) {
    Reconciliation(List<InstanceStop> stops, List<PlacementRequest> placements, java.time.Instant nextEvaluationAt) {
        this(stops, placements, nextEvaluationAt, null, null);
    }

    Reconciliation {
        stops = List.copyOf(stops);
        placements = List.copyOf(placements);
    }
}

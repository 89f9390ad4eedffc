package io.herd.scheduler;

import io.herd.api.InstanceStop;

import java.util.List;

/** What the reconciler decided, before any node is chosen: instances to stop and instances to place. */
record Reconciliation(List<InstanceStop> stops, List<PlacementRequest> placements) {
    Reconciliation {
        stops = List.copyOf(stops);
        placements = List.copyOf(placements);
    }
}

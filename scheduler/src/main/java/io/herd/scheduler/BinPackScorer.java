package io.herd.scheduler;

import io.herd.api.Resources;

/**
 * Best fit: prefers the node left fullest after the placement, so that the emptiest nodes stay free for the
 * instances that need a whole node. Each dimension is normalised against the node's capacity so that cpu,
 * memory and disk weigh the same whatever their units.
 */
final class BinPackScorer {
    private BinPackScorer() {}

    /** Between 0 (the node stays empty) and 1 (the node is full after placing {@code request}). */
    static double fullnessAfter(Resources capacity, Resources used, Resources request) {
        double total = 0;
        int dimensions = 0;
        if (capacity.cpuMillis() > 0) {
            total += share(used.cpuMillis() + request.cpuMillis(), capacity.cpuMillis());
            dimensions++;
        }
        if (capacity.memoryBytes() > 0) {
            total += share(used.memoryBytes() + request.memoryBytes(), capacity.memoryBytes());
            dimensions++;
        }
        // A node that does not account disk (capacity 0) should not look emptier or fuller because of it.
        if (capacity.diskBytes() > 0) {
            total += share(used.diskBytes() + request.diskBytes(), capacity.diskBytes());
            dimensions++;
        }
        return dimensions == 0 ? 0 : total / dimensions;
    }

    private static double share(long amount, long capacity) {
        return Math.min(1.0, (double) amount / capacity);
    }
}

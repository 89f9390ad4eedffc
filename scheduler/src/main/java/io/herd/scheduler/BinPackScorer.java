package io.herd.scheduler;

import io.herd.api.Node;
import io.herd.api.Resources;

/**
 * Best fit: prefers the node left fullest after the placement, so that the emptiest nodes stay free for the
 * instances that need a whole node. Each dimension is normalised against the node's capacity so that cpu,
 * memory, disk and GPUs weigh the same whatever their units.
 */
final class BinPackScorer {
    /** Outweighs any difference in fullness: GPU nodes are for GPU work while other nodes have room. */
    static final double GPU_NODE_PENALTY = 1.0;
    static final double SHARE_BREAKS_DEVICE = 0.25;

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
        // GPUs count only on a node that has them, like disk.
        if (capacity.gpuMillis() > 0) {
            total += share(used.gpuMillis() + request.gpuMillis(), capacity.gpuMillis());
            dimensions++;
        }
        return dimensions == 0 ? 0 : total / dimensions;
    }

    /**
     * Subtracted from a node's score to keep GPUs usable (the fragmentation the openb trace study measures): an
     * instance without GPUs placed on a node with free GPUs takes cpu and memory that GPU instances there will
     * need, so it pays {@link #GPU_NODE_PENALTY} times the node's free GPU fraction; a GPU share that would break
     * into an entirely free device, where a partly used one exists elsewhere, pays {@link #SHARE_BREAKS_DEVICE}.
     */
    static double gpuPenalty(Node node, NodeUsage usage, Resources request) {
        long gpuCapacity = node.capacity().gpuMillis();
        if (gpuCapacity == 0) {
            return 0;
        }
        if (request.gpuMillis() == 0) {
            return GPU_NODE_PENALTY * (gpuCapacity - usage.used().gpuMillis()) / gpuCapacity;
        }
        if (request.isGpuShare() && usage.shareWouldUseFreeDevice(request)) {
            return SHARE_BREAKS_DEVICE;
        }
        return 0;
    }

    private static double share(long amount, long capacity) {
        return Math.min(1.0, (double) amount / capacity);
    }
}

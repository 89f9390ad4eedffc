package io.herd.scheduler;

import io.herd.api.Node;
import io.herd.api.Resources;

/**
 * Best fit: prefers the node left fullest after the placement, so that the emptiest nodes stay free for the
 * instances that need a whole node. Each dimension is normalised against the node's capacity so that cpu,
 * memory, disk and GPUs weigh the same whatever their units. Balance: prefers the node whose cpu and memory
 * stay evenly used, so that neither is stranded ({@link #imbalanceAfter}).
 */
final class BinPackScorer {
    /*
     * The GPU weights were chosen on Alibaba's openb trace (bench/run openb, docs/benchmarks.md): each one alone
     * lowered the GPUs left unplaced there, stranding the most (together from 359 to 245 of 6,087 asked).
     */
    /** Per unit of free GPU fraction: outweighs fullness, so GPU nodes are for GPU work while others have room. */
    static final double GPU_NODE_PENALTY = 3.0;
    /** For a share that would break into an entirely free device. */
    static final double SHARE_BREAKS_DEVICE = 0.5;
    /** Per unit of GPU fraction left free beyond the cpu or memory fraction left free: GPUs that would strand. */
    static final double STRANDING_PENALTY = 5.0;

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
        // GPUs count only on a node that has them, like disk. For a GPU request they are all that counts: GPUs are
        // the scarce resource, and filling the nodes whose GPUs are already in use keeps whole nodes free for the
        // large requests; cpu and memory matter through the stranding penalty instead (see gpuPenalty).
        if (capacity.gpuMillis() > 0) {
            double gpu = share(used.gpuMillis() + request.gpuMillis(), capacity.gpuMillis());
            if (request.gpuMillis() > 0) {
                return gpu;
            }
            return (total + gpu) / (dimensions + 1);
        }
        return dimensions == 0 ? 0 : total / dimensions;
    }

    /**
     * Subtracted from a node's score to keep GPUs usable (the fragmentation the openb trace study measures):
     * <ul>
     *   <li>an instance without GPUs on a node with free GPUs takes cpu and memory that GPU instances there will
     *       need: {@link #GPU_NODE_PENALTY} times the node's free GPU fraction;</li>
     *   <li>a GPU instance that leaves the node with a larger fraction of its GPUs free than of its cpu or memory
     *       strands GPUs (nobody can use them without cpu and memory): {@link #STRANDING_PENALTY} times the
     *       difference;</li>
     *   <li>a share that would break into an entirely free device: {@link #SHARE_BREAKS_DEVICE}.</li>
     * </ul>
     */
    static double gpuPenalty(Node node, NodeUsage usage, Resources request) {
        long gpuCapacity = node.capacity().gpuMillis();
        if (gpuCapacity == 0) {
            return 0;
        }
        Resources used = usage.used();
        if (request.gpuMillis() == 0) {
            return GPU_NODE_PENALTY * (gpuCapacity - used.gpuMillis()) / gpuCapacity;
        }
        Resources capacity = node.capacity();
        double gpuFree = 1 - (double) (used.gpuMillis() + request.gpuMillis()) / gpuCapacity;
        double cpuFree = capacity.cpuMillis() == 0 ? 1
                : 1 - (double) (used.cpuMillis() + request.cpuMillis()) / capacity.cpuMillis();
        double memoryFree = capacity.memoryBytes() == 0 ? 1
                : 1 - (double) (used.memoryBytes() + request.memoryBytes()) / capacity.memoryBytes();
        double penalty = STRANDING_PENALTY * Math.max(0, gpuFree - Math.min(cpuFree, memoryFree));
        if (request.isGpuShare() && usage.shareWouldUseFreeDevice(request)) {
            penalty += SHARE_BREAKS_DEVICE;
        }
        return penalty;
    }

    /**
     * Between 0 and 1: how unevenly the node's cpu and memory would be used after placing {@code request} (the
     * difference of their fractions), times the larger fraction. Jobs arrive one shape at a time, so best fit
     * alone fills a machine with one job's cpu-heavy instances and strands its memory (or the reverse); this
     * prefers the node whose free resources complement the request. Scaling by the larger fraction makes the
     * imbalance of an almost empty node nearly free (a later instance can still even it out) and that of an
     * almost full node expensive (what it strands is stranded for good). GPU nodes and GPU requests are left to
     * the GPU scoring ({@link #gpuPenalty}).
     */
    static double imbalanceAfter(Resources capacity, Resources used, Resources request) {
        if (capacity.cpuMillis() == 0 || capacity.memoryBytes() == 0 || capacity.gpuMillis() > 0
                || request.gpuMillis() > 0) {
            return 0;
        }
        double cpu = share(used.cpuMillis() + request.cpuMillis(), capacity.cpuMillis());
        double memory = share(used.memoryBytes() + request.memoryBytes(), capacity.memoryBytes());
        return Math.abs(cpu - memory) * Math.max(cpu, memory);
    }

    private static double share(long amount, long capacity) {
        return Math.min(1.0, (double) amount / capacity);
    }
}

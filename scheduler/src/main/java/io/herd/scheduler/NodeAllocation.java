package io.herd.scheduler;

import io.herd.api.Instance;
import io.herd.api.Node;
import io.herd.api.Resources;

import java.util.Collection;
import java.util.Set;

/**
 * What the instances on one node take, as of one state of the cluster: the summed resources, the milli-GPUs of
 * each device and the host ports of the instances that hold resources ({@link Instance#holdsResources()}).
 * Immutable, so a view may keep it between evaluations and replace it only when something that matters changes
 * (an instance placed, stopped or ended on the node, or the node's record changed): an evaluation then starts
 * from it instead of walking every instance of every node ({@link ClusterView#allocations()}).
 *
 * <p>It also remembers, for the last few request shapes, whether they fit and how the node scores for them on
 * resources (fullness, balance, GPU penalties; {@link ResourceFit}). These depend only on the node, this
 * allocation and the request, so the memo is invalidated exactly when a view replaces the allocation: a node
 * whose instances did not change keeps its scores from one evaluation to the next (Borg's score caching). Plans
 * do not depend on it: a remembered fit is the one computing it again would give.
 *
 * <p>Thread-safe: several scheduler workers may read one allocation. The memo is written without locks; its
 * entries are immutable records, so a worker sees either an entry or none, and a lost write only costs a
 * recomputation.
 */
public final class NodeAllocation {
    /** How many request shapes each node remembers: enough for the few shapes that arrive between two changes. */
    static final int MEMO_SIZE = 4;

    private final Node node;
    final long cpuUsed;
    final long memoryUsed;
    final long diskUsed;
    final long gpuUsed;
    /** Milli-GPUs per device by position in {@link Node#gpus()}; null on a node without GPUs. Never written. */
    final long[] gpuUsedByDevice;
    /** Unmodifiable, or null when no instance holds a port. */
    final Set<Integer> takenPorts;
    final int takenPortsInRange;
    private final ResourceFit[] memo = new ResourceFit[MEMO_SIZE];
    private int memoNext;
    /**
     * The lowest priority of the instances here that preemption could consider, once a {@link Placer} computed
     * it ({@link Integer#MAX_VALUE}: none), or {@link #PRIORITY_UNKNOWN}. A job version's priority never
     * changes, so it holds as long as the allocation: a pending instance that fits nowhere skips, without
     * walking its instances, every node where it could evict nothing.
     */
    private int lowestPriority = PRIORITY_UNKNOWN;
    static final int PRIORITY_UNKNOWN = Integer.MIN_VALUE;

    NodeAllocation(Node node, long cpuUsed, long memoryUsed, long diskUsed, long gpuUsed, long[] gpuUsedByDevice,
            Set<Integer> takenPorts, int takenPortsInRange) {
        this.node = node;
        this.cpuUsed = cpuUsed;
        this.memoryUsed = memoryUsed;
        this.diskUsed = diskUsed;
        this.gpuUsed = gpuUsed;
        this.gpuUsedByDevice = gpuUsedByDevice;
        this.takenPorts = takenPorts;
        this.takenPortsInRange = takenPortsInRange;
    }

    /** The allocation of {@code node} by those of {@code instances} that hold resources. */
    public static NodeAllocation of(Node node, Collection<Instance> instances) {
        return NodeUsage.of(node, instances).toAllocation();
    }

    /** As {@link #of(Node, Collection)}, with the disk the node's sticky volumes reserve taken too. */
    public static NodeAllocation of(Node node, Collection<Instance> instances,
            Collection<io.herd.api.StickyVolume> volumes) {
        return volumes.isEmpty() ? of(node, instances) : NodeUsage.of(node, instances, volumes).toAllocation();
    }

    /** This allocation plus one more instance on the node (nothing more if it holds no resources). */
    public NodeAllocation plus(Instance instance) {
        if (!instance.holdsResources()) {
            return this;
        }
        NodeUsage usage = new NodeUsage(this);
        usage.add(instance);
        return usage.toAllocation();
    }

    public Node node() {
        return node;
    }

    public Resources used() {
        return new Resources(cpuUsed, memoryUsed, diskUsed, gpuUsed, null);
    }

    /** The remembered fit of {@code request}, or null. */
    ResourceFit remembered(Resources request, int requestHash) {
        for (ResourceFit fit : memo) {
            if (fit != null && fit.requestHash() == requestHash
                    && (fit.request() == request || fit.request().equals(request))) {
                return fit;
            }
        }
        return null;
    }

    int lowestPriority() {
        return lowestPriority;
    }

    void rememberLowestPriority(int priority) {
        lowestPriority = priority;
    }

    void remember(ResourceFit fit) {
        int slot = memoNext;
        memo[slot] = fit;
        memoNext = (slot + 1) % MEMO_SIZE;
    }
}

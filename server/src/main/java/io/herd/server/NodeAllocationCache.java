package io.herd.server;

import io.herd.api.Instance;
import io.herd.api.Node;
import io.herd.api.StickyVolume;
import io.herd.scheduler.NodeAllocation;
import io.herd.state.StateView;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each node's instances and {@link NodeAllocation} as of the last scheduler snapshot that read them, kept by the
 * leader's evaluation dispatcher from one evaluation to the next. A node's entry is replaced only when its
 * instances changed ({@link StateView#nodeAssignmentsIndex} moved: a placement, a stop, a report, a removal) or
 * its record did (a new {@link Node} object: registration, status) or its sticky volumes did; otherwise the snapshot takes the entry as it
 * is. An evaluation then neither copies every node's instances nor walks them to sum what they take, and the
 * scores each allocation remembers survive for the nodes that did not change.
 *
 * <p>Why the index is a sound key: it is the Raft log index of the command that last changed the node's
 * instances, and every command has its own index, so an unchanged index means unchanged instances. A state
 * restored from a snapshot answers the snapshot's index for every node, later than any index seen before it on
 * this replica, so every entry is replaced after a restore.
 *
 * <p>Thread-safe: workers build snapshots side by side under the state's read lock, all from the same state.
 */
public final class NodeAllocationCache {
    /**
     * A node's instances as of {@link #index}, and their allocation, computed on first use rather than under the
     * state lock (a snapshot may find thousands of changed nodes, and while it holds the read lock no command can
     * be applied); then shared by every later snapshot while the node does not change.
     */
    static final class Entry {
        private final long index;
        private final Node node;
        private final List<Instance> instances;
        private final List<StickyVolume> volumes;
        private volatile NodeAllocation allocation;

        Entry(long index, Node node, List<Instance> instances, List<StickyVolume> volumes) {
            this.index = index;
            this.node = node;
            this.instances = instances;
            this.volumes = volumes;
        }

        long index() {
            return index;
        }

        Node node() {
            return node;
        }

        List<Instance> instances() {
            return instances;
        }

        /** The node's sticky volumes, whose disk the allocation takes too. */
        List<StickyVolume> volumes() {
            return volumes;
        }

        /** Computed once (two workers racing compute the same value; either is kept). */
        NodeAllocation allocation() {
            NodeAllocation computed = allocation;
            if (computed == null) {
                computed = NodeAllocation.of(node, instances, volumes);
                allocation = computed;
            }
            return computed;
        }
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    /** The node's entry for the state {@code view} shows; call under the state's read lock. */
    Entry entry(StateView view, Node node) {
        long index = view.nodeAssignmentsIndex(node.id());
        // Sticky volumes take disk too, and a purge deletes them without touching the node's instances: compared
        // by value (almost always two empty lists).
        List<StickyVolume> volumes = view.volumesOnNode(node.id());
        Entry entry = entries.get(node.id());
        if (entry != null && entry.index() == index && entry.node() == node && entry.volumes().equals(volumes)) {
            return entry;
        }
        List<Instance> instances = view.instancesOnNode(node.id());
        entry = new Entry(index, node, instances, volumes);
        entries.put(node.id(), entry);
        return entry;
    }

    /** Forgets the nodes that no longer exist. */
    void retainOnly(Set<String> nodeIds) {
        if (entries.size() > nodeIds.size()) {
            entries.keySet().retainAll(nodeIds);
        }
    }

    int size() {
        return entries.size();
    }
}

package io.herd.scheduler;

import io.herd.api.GpuDevice;
import io.herd.api.Node;
import io.herd.api.Resources;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The candidate nodes of one group, partitioned into equivalence classes: nodes with the same capacity, the same
 * usage, the same GPU devices used alike, the same number of free ports, the same number of the group's instances
 * (which decides anti-affinity and the {@link PerNodeLimit}), the same value of the spread attribute and the same
 * affinity score pass the same dynamic filters and get the same score, so the placer scores one node per class
 * (the one with the smallest id, which would win the tie anyway) instead of every node. This is exact, not an
 * approximation: the node chosen is the one a scan of every node would choose. On a cell of identical machines
 * there are a handful of classes for thousands of nodes; on a cell where every node differs there is one class
 * per node and the cost is that of a scan.
 *
 * <p>A node moves to another class when a placement changes its usage or presence; only the chosen node changes,
 * so a placement costs one pass over the classes and a move. Not thread-safe; confined to one group's placement.
 */
final class NodeClasses {
    /** What makes two candidates interchangeable for the filters and scorers that depend on the plan. */
    record Key(Resources capacity, Resources used, int freePorts, int presence, String spreadValue, double affinity,
            List<GpuDevice> gpus, List<Long> gpuUsed) {}

    /**
     * A candidate node: its rank among the group's candidates by node id, its usage, presence, spread value and
     * affinity score.
     */
    static final class Candidate {
        final int rank;
        final Node node;
        final NodeUsage usage;
        final String spreadValue;
        /** The {@link AffinityScorer} score, 0 without affinities: it depends only on the node's labels. */
        final double affinity;
        int presence;
        NodeClass nodeClass;

        Candidate(int rank, Node node, NodeUsage usage, String spreadValue, int presence) {
            this(rank, node, usage, spreadValue, presence, 0);
        }

        Candidate(int rank, Node node, NodeUsage usage, String spreadValue, int presence, double affinity) {
            this.rank = rank;
            this.node = node;
            this.usage = usage;
            this.spreadValue = spreadValue;
            this.presence = presence;
            this.affinity = affinity;
        }

        Key key() {
            return new Key(node.capacity(), usage.used(), usage.freePorts(), presence, spreadValue, affinity,
                    node.gpus(), usage.gpuSignature());
        }
    }

    /** Interchangeable candidates, as a min-heap of ranks: the first is the one with the smallest node id. */
    static final class NodeClass {
        final Key key;
        private int[] heap = new int[4];
        private int size;
        /** Where this class is in {@link #live}, for removal in constant time. */
        private int slot;

        NodeClass(Key key) {
            this.key = key;
        }

        int size() {
            return size;
        }

        /** The rank of the candidate with the smallest node id. */
        int first() {
            return heap[0];
        }

        /** The rank of the candidate with the second smallest node id, or -1 when there is only one. */
        int second() {
            if (size < 2) {
                return -1;
            }
            return size == 2 ? heap[1] : Math.min(heap[1], heap[2]);
        }

        void add(int rank) {
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
            int position = size++;
            heap[position] = rank;
            siftUp(position);
        }

        void remove(int rank) {
            int position = 0;
            while (heap[position] != rank) {
                position++;
            }
            int last = heap[--size];
            if (position == size) {
                return;
            }
            heap[position] = last;
            siftDown(position);
            siftUp(position);
        }

        private void siftUp(int position) {
            int rank = heap[position];
            while (position > 0) {
                int parent = (position - 1) >>> 1;
                if (heap[parent] <= rank) {
                    break;
                }
                heap[position] = heap[parent];
                position = parent;
            }
            heap[position] = rank;
        }

        private void siftDown(int position) {
            int rank = heap[position];
            int half = size >>> 1;
            while (position < half) {
                int child = 2 * position + 1;
                if (child + 1 < size && heap[child + 1] < heap[child]) {
                    child++;
                }
                if (heap[child] >= rank) {
                    break;
                }
                heap[position] = heap[child];
                position = child;
            }
            heap[position] = rank;
        }
    }

    private final Candidate[] candidates;
    private final Map<Key, NodeClass> byKey = new HashMap<>();
    /** Every non-empty class, in no particular order: the choice never depends on it. */
    private final List<NodeClass> live = new ArrayList<>();

    /** @param candidates sorted by node id, each with its rank equal to its position */
    NodeClasses(Candidate[] candidates) {
        this.candidates = candidates;
        for (Candidate candidate : candidates) {
            add(candidate);
        }
    }

    Candidate candidate(int rank) {
        return candidates[rank];
    }

    List<NodeClass> classes() {
        return live;
    }

    /** Call after changing a candidate's usage or presence: it moves to the class of its new key. */
    void update(Candidate candidate) {
        NodeClass old = candidate.nodeClass;
        old.remove(candidate.rank);
        if (old.size() == 0) {
            byKey.remove(old.key);
            NodeClass moved = live.removeLast();
            if (moved != old) {
                live.set(old.slot, moved);
                moved.slot = old.slot;
            }
        }
        add(candidate);
    }

    private void add(Candidate candidate) {
        Key key = candidate.key();
        NodeClass nodeClass = byKey.get(key);
        if (nodeClass == null) {
            nodeClass = new NodeClass(key);
            byKey.put(key, nodeClass);
            nodeClass.slot = live.size();
            live.add(nodeClass);
        }
        nodeClass.add(candidate.rank);
        candidate.nodeClass = nodeClass;
    }
}

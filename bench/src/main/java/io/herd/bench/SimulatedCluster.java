package io.herd.bench;

import io.herd.api.Instance;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.api.Resources;
import io.herd.scheduler.ClusterView;
import io.herd.scheduler.NodeAllocation;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The in-memory state the simulator schedules against: a fixed set of nodes, the instances committed on them, and
 * every version of every job. It plays the part of the server's replicated state for {@link io.herd.scheduler
 * .Scheduler#process} (as a {@link ClusterView}) and for the plan applier.
 *
 * <p>Besides the instance lists it keeps, per node, the resources and ports taken by instances that hold them, in
 * primitive arrays indexed by node position, so that the reference policies and the invariant check need not walk
 * instances; and each node's {@link NodeAllocation} for the scheduler, replaced by a commit that places on the node
 * and kept otherwise, as the server keeps it between evaluations. Only {@link #commit} changes it; readers see a consistent state as long as no commit runs
 * concurrently, which the simulator guarantees by computing plans between commits.
 */
final class SimulatedCluster implements ClusterView {
    private final List<Node> nodes;
    private final Map<String, Integer> positionById = new HashMap<>();
    private final List<List<Instance>> instancesByPosition;
    private final List<List<Instance>> readOnlyByPosition;
    private final Map<String, List<Instance>> instancesByJob = new HashMap<>();
    private final Map<String, TreeMap<Long, Job>> jobVersions = new HashMap<>();
    final long[] cpuUsed;
    final long[] memoryUsed;
    final long[] diskUsed;
    final int[] portsUsed;
    private int instanceCount;
    private final NodeAllocation[] allocationByPosition;
    /** {@link #allocations()}: by node id, whatever the order of the nodes given. */
    private final List<NodeAllocation> allocationsById;

    SimulatedCluster(List<Node> nodes) {
        this.nodes = List.copyOf(nodes);
        int size = this.nodes.size();
        instancesByPosition = new ArrayList<>(size);
        readOnlyByPosition = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            Node node = this.nodes.get(i);
            if (positionById.put(node.id(), i) != null) {
                throw new IllegalArgumentException("two nodes with id " + node.id());
            }
            List<Instance> list = new ArrayList<>();
            instancesByPosition.add(list);
            readOnlyByPosition.add(Collections.unmodifiableList(list));
        }
        cpuUsed = new long[size];
        memoryUsed = new long[size];
        diskUsed = new long[size];
        portsUsed = new int[size];
        allocationByPosition = new NodeAllocation[size];
        for (int i = 0; i < size; i++) {
            allocationByPosition[i] = NodeAllocation.of(this.nodes.get(i), List.of());
        }
        int[] positionsById = java.util.stream.IntStream.range(0, size).boxed()
                .sorted(java.util.Comparator.comparing(position -> this.nodes.get(position).id()))
                .mapToInt(Integer::intValue).toArray();
        allocationsById = new AbstractList<>() {
            @Override
            public NodeAllocation get(int index) {
                return allocationByPosition[positionsById[index]];
            }

            @Override
            public int size() {
                return positionsById.length;
            }
        };
    }

    /** Keeps {@code job} as version {@code job.version()} of its id, as the server does on registration. */
    void register(Job job) {
        jobVersions.computeIfAbsent(job.id(), id -> new TreeMap<>()).put(job.version(), job);
    }


    /** Adds new instances; the plan applier has checked that they fit. */
    void commit(Collection<Instance> placements) {
        for (Instance instance : placements) {
            int position = position(instance.nodeId());
            instancesByPosition.get(position).add(instance);
            instancesByJob.computeIfAbsent(instance.jobId(), id -> new ArrayList<>()).add(instance);
            if (instance.holdsResources()) {
                Resources resources = instance.resources();
                cpuUsed[position] += resources.cpuMillis();
                memoryUsed[position] += resources.memoryBytes();
                diskUsed[position] += resources.diskBytes();
                portsUsed[position] += instance.ports().size();
                allocationByPosition[position] = allocationByPosition[position].plus(instance);
            }
            instanceCount++;
        }
    }

    int position(String nodeId) {
        Integer position = positionById.get(nodeId);
        if (position == null) {
            throw new IllegalArgumentException("no node " + nodeId);
        }
        return position;
    }

    int size() {
        return nodes.size();
    }

    Node node(int position) {
        return nodes.get(position);
    }

    List<Instance> instancesOnNode(int position) {
        return readOnlyByPosition.get(position);
    }

    int instanceCount() {
        return instanceCount;
    }


    @Override
    public List<Node> nodes() {
        return nodes;
    }

    @Override
    public Optional<Node> node(String nodeId) {
        Integer position = positionById.get(nodeId);
        return position == null ? Optional.empty() : Optional.of(nodes.get(position));
    }

    @Override
    public List<Instance> instancesOnNode(String nodeId) {
        Integer position = positionById.get(nodeId);
        return position == null ? List.of() : readOnlyByPosition.get(position);
    }

    @Override
    public List<Instance> instancesOfJob(String jobId) {
        List<Instance> instances = instancesByJob.get(jobId);
        return instances == null ? List.of() : Collections.unmodifiableList(instances);
    }

    @Override
    public Optional<Job> jobVersion(String jobId, long version) {
        TreeMap<Long, Job> versions = jobVersions.get(jobId);
        return versions == null ? Optional.empty() : Optional.ofNullable(versions.get(version));
    }

    @Override
    public List<NodeAllocation> allocations() {
        return allocationsById;
    }

    /** The simulator replays placements only: no rolling updates, so no deployments. */
    @Override
    public Optional<io.herd.api.Deployment> latestDeployment(String jobId) {
        return Optional.empty();
    }
}

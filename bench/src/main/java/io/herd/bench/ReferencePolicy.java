package io.herd.bench;

import io.herd.api.Constraint;
import io.herd.api.DesiredStatus;
import io.herd.api.Evaluation;
import io.herd.api.Group;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.api.PlacementFailure;
import io.herd.api.Plan;
import io.herd.api.PortRange;
import io.herd.api.Resources;
import io.herd.api.Task;
import io.herd.api.TaskState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.random.RandomGenerator;

/**
 * The simple placement policies Herd's packing is compared with, run by the same simulator and plan applier. Each
 * places the missing indices of every group one at a time, on a node that passes the same checks as Herd's
 * feasibility chain (node ready, drivers, constraints, cpu, memory, disk, GPU devices, free ports), chosen by:
 * <ul>
 *   <li>{@code first_fit}: the first node in the cluster's order;</li>
 *   <li>{@code random_fit}: a node drawn uniformly from the feasible ones;</li>
 *   <li>{@code best_fit}: the least free capacity left after placement, summed over resources, each normalised by
 *       the largest node's capacity (as the FGD paper's simulator does);</li>
 *   <li>{@code worst_fit}: the most free capacity left, the same measure;</li>
 *   <li>{@code dot_product}: the smallest dot product of the node's free vector and the request (Tetris' alignment,
 *       as scored by the FGD paper's simulator), both normalised by the largest node's capacity.</li>
 * </ul>
 * GPUs count as a fourth resource in the scores (free GPUs normalised by the largest node's GPU count); on the
 * node chosen, the devices are picked by the same rule for every contender ({@link GpuLedger}). Ties go to the
 * first node in the cluster's order. No anti-affinity, spread or previous-node penalty: these are pure packing
 * references.
 */
record ReferencePolicy(Kind kind) implements PlacementPolicy {
    enum Kind {
        FIRST_FIT("first_fit"), RANDOM_FIT("random_fit"), BEST_FIT("best_fit"), WORST_FIT("worst_fit"),
        DOT_PRODUCT("dot_product");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }
    }

    static List<PlacementPolicy> all() {
        List<PlacementPolicy> policies = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            policies.add(new ReferencePolicy(kind));
        }
        return policies;
    }

    @Override
    public String name() {
        return kind.wireName;
    }

    @Override
    public Plan plan(Evaluation evaluation, Job job, SimulatedCluster cluster, Instant now, RandomGenerator random) {
        String jobId = evaluation.jobId();
        if (job == null || job.stopped()) {
            throw new IllegalStateException("reference policies only place jobs; " + jobId + " is gone or stopped");
        }
        Map<String, Set<Integer>> liveIndices = new HashMap<>();
        for (Instance instance : cluster.instancesOfJob(jobId)) {
            if (instance.isLive()) {
                liveIndices.computeIfAbsent(instance.group(), name -> new HashSet<>()).add(instance.index());
            }
        }
        PlanState state = new PlanState(cluster);
        List<Instance> placements = new ArrayList<>();
        List<PlacementFailure> failures = new ArrayList<>();
        for (Group group : job.groups()) {
            Set<Integer> live = liveIndices.getOrDefault(group.name(), Set.of());
            List<Integer> missing = new ArrayList<>();
            for (int index = 0; index < group.count(); index++) {
                if (!live.contains(index)) {
                    missing.add(index);
                }
            }
            placeGroup(job, group, missing, state, now, random, placements, failures);
        }
        return new Plan(evaluation.id(), jobId, job.version(), placements, List.of(), failures);
    }

    private void placeGroup(Job job, Group group, List<Integer> indices, PlanState state, Instant now,
            RandomGenerator random, List<Instance> placements, List<PlacementFailure> failures) {
        if (indices.isEmpty()) {
            return;
        }
        SimulatedCluster cluster = state.cluster;
        int size = cluster.size();
        boolean[] eligible = new boolean[size];
        int eligibleCount = 0;
        for (int position = 0; position < size; position++) {
            eligible[position] = staticallyFeasible(cluster.node(position), job, group)
                    && GpuLedger.couldEverFit(cluster.node(position), group.resources());
            if (eligible[position]) {
                eligibleCount++;
            }
        }
        Resources request = group.resources();
        List<String> portNames = List.copyOf(group.portNames());
        for (int i = 0; i < indices.size(); i++) {
            int chosen = choose(state, eligible, request, portNames.size(), random);
            if (chosen < 0) {
                failures.add(new PlacementFailure(group.name(), indices.size() - i, size,
                        Map.of("no feasible node", size, "statically feasible", eligibleCount)));
                return;
            }
            Instance instance = newInstance(job, group, indices.get(i), cluster.node(chosen),
                    state.choosePorts(chosen, portNames, random), state.ledger(chosen).choose(request), now, random);
            state.add(chosen, instance);
            placements.add(instance);
        }
    }

    /** The position of the node to place on, or -1 when none fits. */
    private int choose(PlanState state, boolean[] eligible, Resources request, int portCount, RandomGenerator random) {
        SimulatedCluster cluster = state.cluster;
        int size = cluster.size();
        if (kind == Kind.RANDOM_FIT) {
            int feasible = 0;
            for (int position = 0; position < size; position++) {
                if (eligible[position] && state.fits(position, request, portCount)) {
                    feasible++;
                }
            }
            if (feasible == 0) {
                return -1;
            }
            int ticket = random.nextInt(feasible);
            for (int position = 0; position < size; position++) {
                if (eligible[position] && state.fits(position, request, portCount) && ticket-- == 0) {
                    return position;
                }
            }
            throw new IllegalStateException("feasible nodes changed while drawing");
        }
        int best = -1;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int position = 0; position < size; position++) {
            if (!eligible[position] || !state.fits(position, request, portCount)) {
                continue;
            }
            if (kind == Kind.FIRST_FIT) {
                return position;
            }
            double score = score(state, position, request);
            if (score > bestScore) {
                best = position;
                bestScore = score;
            }
        }
        return best;
    }

    /** Higher is better. */
    private double score(PlanState state, int position, Resources request) {
        Resources capacity = state.cluster.node(position).capacity();
        double freeCpu = capacity.cpuMillis() - state.cluster.cpuUsed[position] - state.cpu[position];
        double freeMemory = capacity.memoryBytes() - state.cluster.memoryUsed[position] - state.memory[position];
        double freeDisk = capacity.diskBytes() - state.cluster.diskUsed[position] - state.disk[position];
        double freeGpu = capacity.gpuMillis() == 0 ? 0 : capacity.gpuMillis() - state.ledger(position).usedMillis();
        return switch (kind) {
            case BEST_FIT -> -left(state, freeCpu, freeMemory, freeDisk, freeGpu, request);
            case WORST_FIT -> left(state, freeCpu, freeMemory, freeDisk, freeGpu, request);
            case DOT_PRODUCT -> -(normalised(freeCpu, state.maxCpu) * normalised(request.cpuMillis(), state.maxCpu)
                    + normalised(freeMemory, state.maxMemory) * normalised(request.memoryBytes(), state.maxMemory)
                    + normalised(freeDisk, state.maxDisk) * normalised(request.diskBytes(), state.maxDisk)
                    + normalised(freeGpu, state.maxGpu) * normalised(request.gpuMillis(), state.maxGpu));
            case FIRST_FIT, RANDOM_FIT -> throw new IllegalStateException(kind + " does not score");
        };
    }

    /** Free capacity left after placing {@code request}, summed over resources normalised by the largest node. */
    private static double left(PlanState state, double freeCpu, double freeMemory, double freeDisk, double freeGpu,
            Resources request) {
        return normalised(freeCpu - request.cpuMillis(), state.maxCpu)
                + normalised(freeMemory - request.memoryBytes(), state.maxMemory)
                + normalised(freeDisk - request.diskBytes(), state.maxDisk)
                + normalised(freeGpu - request.gpuMillis(), state.maxGpu);
    }

    private static double normalised(double amount, long max) {
        return max == 0 ? 0 : amount / max;
    }

    private static boolean staticallyFeasible(Node node, Job job, Group group) {
        if (node.status() != NodeStatus.READY || !node.drivers().containsAll(group.drivers())) {
            return false;
        }
        for (Constraint constraint : job.constraints()) {
            if (!constraint.matches(node.attribute(constraint.attr()).orElse(null))) {
                return false;
            }
        }
        for (Constraint constraint : group.constraints()) {
            if (!constraint.matches(node.attribute(constraint.attr()).orElse(null))) {
                return false;
            }
        }
        return true;
    }

    private static Instance newInstance(Job job, Group group, int index, Node node, Map<String, Integer> ports,
            List<Integer> gpuDevices, Instant now, RandomGenerator random) {
        Map<String, TaskState> tasks = new LinkedHashMap<>();
        for (Task task : group.tasks()) {
            tasks.put(task.name(), TaskState.pending());
        }
        String id = new UUID((random.nextLong() & ~0xF000L) | 0x4000L,
                (random.nextLong() & ~(0x3L << 62)) | (0x2L << 62)).toString();
        return new Instance(id, job.app(), job.name(), group.name(), index, job.version(), node.id(), node.name(),
                group.resources(), ports, InstanceState.PENDING, DesiredStatus.RUN, null, tasks, null, now, now,
                gpuDevices, null, null);
    }

    /** What the plan so far adds to each node, on top of the committed state. */
    private static final class PlanState {
        final SimulatedCluster cluster;
        final long[] cpu;
        final long[] memory;
        final long[] disk;
        final int[] ports;
        final long maxCpu;
        final long maxMemory;
        final long maxDisk;
        final long maxGpu;
        /** Per node position, its GPU devices' usage, built when the plan first looks at a GPU node. */
        final Map<Integer, GpuLedger> ledgers = new HashMap<>();
        /** Only for nodes that got an instance with ports in this plan. */
        final Map<Integer, Set<Integer>> plannedPorts = new HashMap<>();

        PlanState(SimulatedCluster cluster) {
            this.cluster = cluster;
            int size = cluster.size();
            cpu = new long[size];
            memory = new long[size];
            disk = new long[size];
            ports = new int[size];
            long cpuMax = 0;
            long memoryMax = 0;
            long diskMax = 0;
            long gpuMax = 0;
            for (Node node : cluster.nodes()) {
                cpuMax = Math.max(cpuMax, node.capacity().cpuMillis());
                memoryMax = Math.max(memoryMax, node.capacity().memoryBytes());
                diskMax = Math.max(diskMax, node.capacity().diskBytes());
                gpuMax = Math.max(gpuMax, node.capacity().gpuMillis());
            }
            maxCpu = cpuMax;
            maxMemory = memoryMax;
            maxDisk = diskMax;
            maxGpu = gpuMax;
        }

        GpuLedger ledger(int position) {
            return ledgers.computeIfAbsent(position,
                    key -> GpuLedger.of(cluster.node(position), cluster.instancesOnNode(position)));
        }

        boolean fits(int position, Resources request, int portCount) {
            Node node = cluster.node(position);
            Resources capacity = node.capacity();
            return cluster.cpuUsed[position] + cpu[position] + request.cpuMillis() <= capacity.cpuMillis()
                    && cluster.memoryUsed[position] + memory[position] + request.memoryBytes() <= capacity.memoryBytes()
                    && cluster.diskUsed[position] + disk[position] + request.diskBytes() <= capacity.diskBytes()
                    && (portCount == 0
                            || node.ports().size() - cluster.portsUsed[position] - ports[position] >= portCount)
                    && (request.gpuMillis() == 0 || ledger(position).choose(request) != null);
        }

        void add(int position, Instance instance) {
            Resources resources = instance.resources();
            cpu[position] += resources.cpuMillis();
            memory[position] += resources.memoryBytes();
            disk[position] += resources.diskBytes();
            ports[position] += instance.ports().size();
            if (resources.gpuMillis() > 0) {
                ledger(position).take(resources, instance.gpuDevices());
            }
        }

        /** Random free host ports of the node for {@code names}; the caller checked there are enough. */
        Map<String, Integer> choosePorts(int position, List<String> names, RandomGenerator random) {
            if (names.isEmpty()) {
                return Map.of();
            }
            Set<Integer> taken = plannedPorts.computeIfAbsent(position, key -> new HashSet<>());
            if (taken.isEmpty()) {
                for (Instance instance : cluster.instancesOnNode(position)) {
                    if (instance.holdsResources()) {
                        taken.addAll(instance.ports().values());
                    }
                }
            }
            PortRange range = cluster.node(position).ports();
            Map<String, Integer> chosen = new LinkedHashMap<>();
            for (String name : names) {
                int start = random.nextInt(range.size());
                for (int offset = 0; offset < range.size(); offset++) {
                    int port = range.first() + (start + offset) % range.size();
                    if (taken.add(port)) {
                        chosen.put(name, port);
                        break;
                    }
                }
            }
            return chosen;
        }
    }
}

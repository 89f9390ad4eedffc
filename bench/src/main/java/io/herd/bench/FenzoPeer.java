package io.herd.bench;

import com.netflix.fenzo.ConstraintEvaluator;
import com.netflix.fenzo.SchedulingResult;
import com.netflix.fenzo.TaskAssignmentResult;
import com.netflix.fenzo.TaskRequest;
import com.netflix.fenzo.TaskScheduler;
import com.netflix.fenzo.TaskTrackerState;
import com.netflix.fenzo.VMAssignmentResult;
import com.netflix.fenzo.VMTaskFitnessCalculator;
import com.netflix.fenzo.VirtualMachineCurrentState;
import com.netflix.fenzo.VirtualMachineLease;
import com.netflix.fenzo.plugins.BinPackingFitnessCalculators;
import io.herd.api.Group;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.api.PortRange;
import io.herd.api.Resources;
import org.apache.mesos.Protos;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Netflix Fenzo 1.0.1, the peer, run in the same JVM on the same nodes and the same instances. Fenzo schedules
 * against resource offers ("leases", as from Mesos): every node starts with one lease of its whole capacity; after
 * each scheduling iteration the tasks it assigned are reported back through its task assigner (so that its fitness
 * functions see them running) and each node that got tasks offers what is left as a new lease, as a Mesos agent
 * would. One {@code scheduleOnce} per job, like one evaluation per job for Herd.
 *
 * <p>Configured as a Fenzo user packing a cluster would: the CPU-and-memory bin packer, shortfall evaluation (an
 * autoscaling aid) off, leases that never expire during the run, and the "good enough" fitness at which Fenzo stops
 * looking at more nodes for a task (Fenzo's own default is never: it looks at every node).
 *
 * <p>GPUs, as a Fenzo user would add them: a scalar resource {@code gpu} (whole GPUs, a share as its fraction)
 * offered by each lease and asked by each task, plus a hard constraint that only lets a task onto a node whose
 * devices can take it (a share on one device, whole GPUs on free devices, the right model), since Fenzo's scalars
 * are totals per node. The bin packer stays Fenzo's cpu-and-memory one. Devices are then picked by the rule every
 * contender shares ({@link GpuLedger}).
 *
 * <p>Fenzo starts threads; {@link #run} always shuts it down, or the JVM would never exit.
 */
final class FenzoPeer {
    private static final double MEBIBYTE = 1 << 20;
    private static final String GPU = "gpu";

    private final double goodEnoughFitness;

    /** @param goodEnoughFitness Fenzo stops at the first node whose fitness exceeds it; above 1 means never */
    FenzoPeer(double goodEnoughFitness) {
        this.goodEnoughFitness = goodEnoughFitness;
    }

    /**
     * @param usedByNode per node id, what Fenzo's assignments take: cpu millis, memory and disk bytes
     * @param nodeByTask per task, named {@code app/job/group/index}, the node Fenzo put it on
     * @param jobsRun jobs scheduled before the time budget ran out (all of them when it did not)
     */
    record Result(int jobsRun, int instancesRun, int placed, int unplaced, long wallNanos, long[] iterationNanos,
            Map<String, Resources> usedByNode, Map<String, String> nodeByTask, int overcommittedNodes) {
        double placementsPerSecond() {
            return wallNanos == 0 ? 0 : placed * 1e9 / wallNanos;
        }

        double wallSeconds() {
            return wallNanos / 1e9;
        }

        double percentileMillis(double percentile) {
            return Percentiles.of(iterationNanos, percentile) / 1e6;
        }
    }

    /**
     * Schedules the jobs in order, stopping early (after a whole job) once {@code budgetNanos} have passed, since
     * Fenzo may take far longer than Herd on large cells.
     */
    Result run(List<Node> nodes, List<Job> jobs, long budgetNanos) {
        TaskScheduler scheduler = new TaskScheduler.Builder()
                .withLeaseRejectAction(lease -> { })
                .withLeaseOfferExpirySecs(1_000_000)
                .withFitnessCalculator(BinPackingFitnessCalculators.cpuMemBinPacker)
                .withFitnessGoodEnoughFunction(fitness -> fitness > goodEnoughFitness)
                .disableShortfallEvaluation()
                .build();
        try {
            return schedule(scheduler, nodes, jobs, budgetNanos);
        } finally {
            scheduler.shutdown();
        }
    }

    private Result schedule(TaskScheduler scheduler, List<Node> nodes, List<Job> jobs, long budgetNanos) {
        Map<String, Host> hosts = new LinkedHashMap<>();
        List<VirtualMachineLease> newLeases = new ArrayList<>();
        for (Node node : nodes) {
            if (node.status() == NodeStatus.READY) {
                Host host = new Host(node);
                hosts.put(node.id(), host);
                newLeases.add(host.lease());
            }
        }
        List<Long> iterations = new ArrayList<>();
        int jobsRun = 0;
        int instancesRun = 0;
        int placed = 0;
        int unplaced = 0;
        Map<String, String> nodeByTask = new HashMap<>();
        long start = System.nanoTime();
        for (Job job : jobs) {
            if (System.nanoTime() - start > budgetNanos) {
                break;
            }
            List<Task> tasks = tasks(job, hosts);
            long iterationStart = System.nanoTime();
            SchedulingResult result = scheduler.scheduleOnce(tasks, newLeases);
            if (!result.getExceptions().isEmpty()) {
                throw new IllegalStateException("Fenzo failed scheduling " + job.id(), result.getExceptions().getFirst());
            }
            newLeases = new ArrayList<>();
            for (VMAssignmentResult assignment : result.getResultMap().values()) {
                Host host = hosts.get(assignment.getHostname());
                for (TaskAssignmentResult task : assignment.getTasksAssigned()) {
                    scheduler.getTaskAssigner().call(task.getRequest(), assignment.getHostname());
                    host.take((Task) task.getRequest(), task.getAssignedPorts());
                    nodeByTask.put(task.getTaskId(), host.node.id());
                    placed++;
                }
                newLeases.add(host.lease());
            }
            iterations.add(System.nanoTime() - iterationStart);
            unplaced += tasks.size() - countAssigned(result);
            jobsRun++;
            instancesRun += tasks.size();
        }
        long wall = System.nanoTime() - start;
        Map<String, Resources> used = new LinkedHashMap<>();
        int overcommitted = 0;
        for (Host host : hosts.values()) {
            used.put(host.node.id(), host.used());
            if (!host.used().fitsIn(host.node.capacity()) || host.portsOutOfRange || host.gpus.overCommitted()) {
                overcommitted++;
            }
        }
        return new Result(jobsRun, instancesRun, placed, unplaced, wall,
                iterations.stream().mapToLong(Long::longValue).toArray(), used, nodeByTask, overcommitted);
    }

    private static int countAssigned(SchedulingResult result) {
        int assigned = 0;
        for (VMAssignmentResult assignment : result.getResultMap().values()) {
            assigned += assignment.getTasksAssigned().size();
        }
        return assigned;
    }

    private static List<Task> tasks(Job job, Map<String, Host> hosts) {
        List<Task> tasks = new ArrayList<>();
        for (Group group : job.groups()) {
            Resources resources = group.resources();
            int ports = group.portNames().size();
            List<ConstraintEvaluator> constraints = resources.gpuMillis() == 0 ? List.of()
                    : List.of(new GpuDeviceConstraint(hosts));
            for (int index = 0; index < group.count(); index++) {
                tasks.add(new Task(job.id() + "/" + group.name() + "/" + index, job.id(), resources, ports,
                        constraints));
            }
        }
        return tasks;
    }

    /** Lets a GPU task only onto a node whose devices can take it now. */
    private record GpuDeviceConstraint(Map<String, Host> hosts) implements ConstraintEvaluator {
        @Override
        public String getName() {
            return "gpu-devices";
        }

        @Override
        public Result evaluate(TaskRequest request, VirtualMachineCurrentState target, TaskTrackerState tracker) {
            Host host = hosts.get(target.getHostname());
            boolean fits = host != null && host.gpus.choose(((Task) request).resources) != null;
            return new Result(fits, fits ? null : "no GPU device can take the task");
        }
    }

    /** What one node has left to offer, in Herd's units, and the lease that offers it. */
    private static final class Host {
        final Node node;
        long cpuUsed;
        long memoryUsed;
        long diskUsed;
        final BitSet portsTaken = new BitSet();
        final GpuLedger gpus;
        boolean portsOutOfRange;
        int leases;

        Host(Node node) {
            this.node = node;
            this.gpus = new GpuLedger(node);
        }

        void take(Task task, List<Integer> ports) {
            if (task.resources.gpuMillis() > 0) {
                List<Integer> devices = gpus.choose(task.resources);
                if (devices == null) {
                    // Fenzo placed two GPU tasks of one iteration on devices that cannot hold both.
                    portsOutOfRange = true;
                } else {
                    gpus.take(task.resources, devices);
                }
            }
            cpuUsed += task.resources.cpuMillis();
            memoryUsed += task.resources.memoryBytes();
            diskUsed += task.resources.diskBytes();
            PortRange range = node.ports();
            for (int port : ports) {
                if (!range.contains(port) || portsTaken.get(port - range.first())) {
                    portsOutOfRange = true;
                } else {
                    portsTaken.set(port - range.first());
                }
            }
        }

        Resources used() {
            return new Resources(cpuUsed, memoryUsed, diskUsed, gpus.usedMillis(), null);
        }

        VirtualMachineLease lease() {
            Resources capacity = node.capacity();
            PortRange range = node.ports();
            List<VirtualMachineLease.Range> free = new ArrayList<>();
            int runStart = -1;
            for (int offset = 0; offset <= range.size(); offset++) {
                boolean isFree = offset < range.size() && !portsTaken.get(offset);
                if (isFree && runStart < 0) {
                    runStart = offset;
                } else if (!isFree && runStart >= 0) {
                    free.add(new VirtualMachineLease.Range(range.first() + runStart, range.first() + offset - 1));
                    runStart = -1;
                }
            }
            return new Lease(node.id() + "#" + (++leases), node.id(), (capacity.cpuMillis() - cpuUsed) / 1000.0,
                    (capacity.memoryBytes() - memoryUsed) / MEBIBYTE, (capacity.diskBytes() - diskUsed) / MEBIBYTE,
                    free, System.currentTimeMillis(), (capacity.gpuMillis() - gpus.usedMillis()) / 1000.0);
        }
    }

    /** An offer of what a node has free; Fenzo never needs the Mesos offer behind it. */
    private record Lease(String id, String hostname, double cpuCores, double memoryMB, double diskMB,
            List<Range> portRanges, long offeredTime, double gpus) implements VirtualMachineLease {
        @Override
        public String getId() {
            return id;
        }

        @Override
        public long getOfferedTime() {
            return offeredTime;
        }

        @Override
        public String getVMID() {
            return hostname;
        }

        @Override
        public double networkMbps() {
            return 0;
        }

        @Override
        public Protos.Offer getOffer() {
            return null;
        }

        @Override
        public Map<String, Protos.Attribute> getAttributeMap() {
            // Fenzo looks up a null attribute name when no autoscaling attribute is set: Map.of() would throw.
            return Collections.emptyMap();
        }

        @Override
        public Double getScalarValue(String name) {
            return GPU.equals(name) ? gpus : null;
        }

        @Override
        public Map<String, Double> getScalarValues() {
            return Map.of(GPU, gpus);
        }
    }

    /** One instance as a Fenzo task: cpu in cores, memory and disk in MiB, a number of ports. */
    static final class Task implements TaskRequest {
        private final String id;
        private final String group;
        final Resources resources;
        private final int ports;
        private final List<ConstraintEvaluator> hardConstraints;
        private AssignedResources assigned;

        Task(String id, String group, Resources resources, int ports, List<ConstraintEvaluator> hardConstraints) {
            this.id = id;
            this.group = group;
            this.resources = resources;
            this.ports = ports;
            this.hardConstraints = hardConstraints;
        }

        @Override
        public String getId() {
            return id;
        }

        @Override
        public String taskGroupName() {
            return group;
        }

        @Override
        public double getCPUs() {
            return resources.cpuMillis() / 1000.0;
        }

        @Override
        public double getMemory() {
            return resources.memoryBytes() / MEBIBYTE;
        }

        @Override
        public double getNetworkMbps() {
            return 0;
        }

        @Override
        public double getDisk() {
            return resources.diskBytes() / MEBIBYTE;
        }

        @Override
        public int getPorts() {
            return ports;
        }

        @Override
        public Map<String, Double> getScalarRequests() {
            return resources.gpuMillis() == 0 ? Collections.emptyMap() : Map.of(GPU, resources.gpuMillis() / 1000.0);
        }

        @Override
        public Map<String, NamedResourceSetRequest> getCustomNamedResources() {
            return Collections.emptyMap();
        }

        @Override
        public List<? extends ConstraintEvaluator> getHardConstraints() {
            return hardConstraints;
        }

        @Override
        public List<? extends VMTaskFitnessCalculator> getSoftConstraints() {
            return List.of();
        }

        @Override
        public void setAssignedResources(AssignedResources assignedResources) {
            this.assigned = assignedResources;
        }

        @Override
        public AssignedResources getAssignedResources() {
            return assigned;
        }
    }
}

package io.herd.scheduler;

import io.herd.api.GpuDevice;
import io.herd.api.Instance;
import io.herd.api.Node;
import io.herd.api.PortRange;
import io.herd.api.Resources;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * What is taken on one node: the resources, GPU devices and host ports of the instances that hold them
 * ({@link Instance#holdsResources()}), plus whatever the current plan adds. Starts from the view's
 * {@link NodeAllocation} (kept by the view between evaluations) and is updated as placements are chosen, so that
 * checking a node is a few comparisons instead of a walk over its instances. The allocation's arrays and port set
 * are shared until the plan first changes the node (copy on write): most nodes of a large cell are only read.
 * Not thread-safe; confined to one {@link Scheduler#process} call.
 */
final class NodeUsage {
    /** Random probes before falling back to a scan; a range is rarely so full that they all miss. */
    private static final int RANDOM_PORT_PROBES = 16;

    private final Node node;
    /** What the view said; its memo of fits serves as long as this plan has not changed the node. */
    private final NodeAllocation base;
    private boolean changed;
    /** The last fit computed, for the filter and the scorer that ask for it one after the other. */
    private ResourceFit lastFit;
    // Sums kept as primitives: building the usage of every node walks every instance, and a Resources object per
    // instance would be garbage by the million on a large cell.
    private long cpuUsed;
    private long memoryUsed;
    private long diskUsed;
    /** The sums as a record, made when asked for and kept until the next {@link #add}. */
    private Resources used = Resources.ZERO;
    private long gpuUsed;
    /**
     * Milli-GPUs taken per device, by position in {@link Node#gpus()}; null on a node without GPUs. May exceed
     * {@link Resources#GPU_MILLIS_PER_DEVICE} only when a proposal over-commits, which {@link #insufficientResource}
     * then reports.
     */
    private long[] gpuUsedByDevice;
    /** Whether {@link #gpuUsedByDevice} is still the base allocation's, to copy before the first write. */
    private boolean gpuShared;
    /** Null until an instance with ports is added: most have none. */
    private Set<Integer> takenPorts;
    /** Whether {@link #takenPorts} is still the base allocation's (unmodifiable), to copy before the first add. */
    private boolean portsShared;
    private int takenPortsInRange;

    private NodeUsage(Node node) {
        this.node = node;
        this.base = null;
        this.changed = true;
        this.gpuUsedByDevice = node.gpus().isEmpty() ? null : new long[node.gpus().size()];
    }

    /** Starts from what the view keeps for the node. */
    NodeUsage(NodeAllocation allocation) {
        this.node = allocation.node();
        this.base = allocation;
        this.cpuUsed = allocation.cpuUsed;
        this.memoryUsed = allocation.memoryUsed;
        this.diskUsed = allocation.diskUsed;
        this.gpuUsed = allocation.gpuUsed;
        this.used = null;
        this.gpuUsedByDevice = allocation.gpuUsedByDevice;
        this.gpuShared = gpuUsedByDevice != null;
        this.takenPorts = allocation.takenPorts;
        this.portsShared = takenPorts != null;
        this.takenPortsInRange = allocation.takenPortsInRange;
    }

    /** The usage of {@code node} by those of {@code instances} that hold resources. */
    static NodeUsage of(Node node, Collection<Instance> instances) {
        NodeUsage usage = new NodeUsage(node);
        for (Instance instance : instances) {
            if (instance.holdsResources()) {
                usage.add(instance);
            }
        }
        return usage;
    }

    /** The view's allocation this usage started from; null for one built from instances. */
    NodeAllocation base() {
        return base;
    }

    /** This usage as an immutable allocation (copies what is still written to). */
    NodeAllocation toAllocation() {
        return new NodeAllocation(node, cpuUsed, memoryUsed, diskUsed, gpuUsed,
                gpuUsedByDevice == null ? null : gpuUsedByDevice.clone(),
                takenPorts == null ? null : Set.copyOf(takenPorts), takenPortsInRange);
    }

    /**
     * Whether {@code request} fits the node's resources and how the node scores for it on resources; from the
     * view's allocation when this plan has not changed the node (its memo is valid exactly as long as the
     * allocation), computed otherwise.
     */
    ResourceFit fit(Resources request) {
        ResourceFit last = lastFit;
        if (last != null && last.request() == request) {
            return last;
        }
        int requestHash = request.hashCode();
        ResourceFit fit = changed ? null : base.remembered(request, requestHash);
        if (fit == null) {
            fit = ResourceFit.of(this, request, requestHash);
            if (!changed) {
                base.remember(fit);
            }
        }
        lastFit = fit;
        return fit;
    }

    private void changing() {
        changed = true;
        lastFit = null;
        used = null;
        if (gpuShared) {
            gpuUsedByDevice = gpuUsedByDevice.clone();
            gpuShared = false;
        }
    }

    /** As {@link #of(Node, Collection)}, with the disk the node's sticky volumes reserve taken too. */
    static NodeUsage of(Node node, Collection<Instance> instances, Collection<io.herd.api.StickyVolume> volumes) {
        NodeUsage usage = of(node, instances);
        for (io.herd.api.StickyVolume volume : volumes) {
            usage.reserveDisk(volume.sizeBytes());
        }
        return usage;
    }

    /** Takes disk that no instance holds: a sticky volume, which outlives its instances. */
    void reserveDisk(long bytes) {
        changing();
        diskUsed += bytes;
    }

    Node node() {
        return node;
    }

    Resources used() {
        if (used == null) {
            used = new Resources(cpuUsed, memoryUsed, diskUsed, gpuUsed, null);
        }
        return used;
    }

    void add(Instance instance) {
        changing();
        Resources resources = instance.resources();
        cpuUsed += resources.cpuMillis();
        memoryUsed += resources.memoryBytes();
        diskUsed += resources.diskBytes();
        if (resources.gpuMillis() > 0) {
            addGpus(instance, 1);
        }
        if (instance.ports().isEmpty()) {
            // Most instances have no ports; iterating an empty map still costs an iterator, on every node.
            return;
        }
        if (takenPorts == null) {
            takenPorts = new HashSet<>();
        } else if (portsShared) {
            takenPorts = new HashSet<>(takenPorts);
            portsShared = false;
        }
        for (int port : instance.ports().values()) {
            if (takenPorts.add(port) && node.ports().contains(port)) {
                takenPortsInRange++;
            }
        }
    }

    /**
     * Takes back what {@link #add} added: the plan preempts the instance, so its resources are free for the
     * preemptor. Its ports stay taken for this plan (the process may still hold them), which is only cautious.
     */
    void remove(Instance instance) {
        changing();
        Resources resources = instance.resources();
        cpuUsed -= resources.cpuMillis();
        memoryUsed -= resources.memoryBytes();
        diskUsed -= resources.diskBytes();
        if (resources.gpuMillis() > 0) {
            addGpus(instance, -1);
        }
    }

    /** Adds ({@code sign} 1) or removes (-1) an instance's GPU share or whole devices. */
    private void addGpus(Instance instance, int sign) {
        Resources resources = instance.resources();
        gpuUsed += sign * resources.gpuMillis();
        if (gpuUsedByDevice == null) {
            return; // an instance naming devices this node lacks: NodeFit refuses it before it gets here
        }
        long perDevice = resources.isGpuShare() ? resources.gpuMillis() : Resources.GPU_MILLIS_PER_DEVICE;
        for (int deviceIndex : instance.gpuDevices()) {
            int position = devicePosition(deviceIndex);
            if (position >= 0) {
                gpuUsedByDevice[position] += sign * perDevice;
            }
        }
    }

    private int devicePosition(int deviceIndex) {
        List<GpuDevice> gpus = node.gpus();
        // Devices are usually numbered by position: one look instead of a scan, on every GPU instance of every node.
        if (deviceIndex >= 0 && deviceIndex < gpus.size() && gpus.get(deviceIndex).index() == deviceIndex) {
            return deviceIndex;
        }
        for (int position = 0; position < gpus.size(); position++) {
            if (gpus.get(position).index() == deviceIndex) {
                return position;
            }
        }
        return -1;
    }

    /** The first resource (cpu, memory, disk, gpu) that {@code request} would over-commit, as a rejection reason. */
    Optional<String> insufficientResource(Resources request) {
        Resources capacity = node.capacity();
        if (cpuUsed + request.cpuMillis() > capacity.cpuMillis()) {
            return Optional.of(Feasibility.INSUFFICIENT_CPU);
        }
        if (memoryUsed + request.memoryBytes() > capacity.memoryBytes()) {
            return Optional.of(Feasibility.INSUFFICIENT_MEMORY);
        }
        if (diskUsed + request.diskBytes() > capacity.diskBytes()) {
            return Optional.of(Feasibility.INSUFFICIENT_DISK);
        }
        if (gpuUsedByDevice != null) {
            for (long deviceUsed : gpuUsedByDevice) {
                if (deviceUsed > Resources.GPU_MILLIS_PER_DEVICE) {
                    return Optional.of(Feasibility.INSUFFICIENT_GPU);
                }
            }
        }
        if (request.gpuMillis() > 0 && !gpusFit(request)) {
            return Optional.of(Feasibility.INSUFFICIENT_GPU);
        }
        return Optional.empty();
    }

    /**
     * The device indices for a GPU request, or null when it does not fit: a share goes on the one device of the
     * right model whose free milli-GPUs it fills best (the fullest that still fits, so that shares pack onto
     * devices already in use and whole devices stay free for whole-GPU requests), ties to the lowest index; whole
     * GPUs take that many entirely free devices of the right model, lowest indices first.
     */
    List<Integer> chooseGpus(Resources request) {
        if (request.gpuMillis() <= 0) {
            return List.of();
        }
        if (gpuUsedByDevice == null) {
            return null;
        }
        List<GpuDevice> gpus = node.gpus();
        if (request.isGpuShare()) {
            int best = sharePosition(request);
            return best < 0 ? null : List.of(gpus.get(best).index());
        }
        int wanted = request.wholeGpus();
        List<Integer> chosen = new ArrayList<>(wanted);
        for (int position = 0; position < gpus.size() && chosen.size() < wanted; position++) {
            if (gpuUsedByDevice[position] == 0 && modelMatches(gpus.get(position), request)) {
                chosen.add(gpus.get(position).index());
            }
        }
        return chosen.size() == wanted ? List.copyOf(chosen) : null;
    }

    /**
     * Whether {@link #chooseGpus} would find devices for a GPU request, without making the list: the feasibility
     * check runs on every GPU node for every GPU request.
     */
    private boolean gpusFit(Resources request) {
        if (gpuUsedByDevice == null) {
            return false;
        }
        if (request.isGpuShare()) {
            return sharePosition(request) >= 0;
        }
        List<GpuDevice> gpus = node.gpus();
        int wanted = request.wholeGpus();
        int found = 0;
        for (int position = 0; position < gpus.size() && found < wanted; position++) {
            if (gpuUsedByDevice[position] == 0 && modelMatches(gpus.get(position), request)) {
                found++;
            }
        }
        return found == wanted;
    }

    /** The position of the device a share goes on (see {@link #chooseGpus}), or -1 when none has room. */
    private int sharePosition(Resources request) {
        List<GpuDevice> gpus = node.gpus();
        int best = -1;
        for (int position = 0; position < gpus.size(); position++) {
            long free = Resources.GPU_MILLIS_PER_DEVICE - gpuUsedByDevice[position];
            if (free >= request.gpuMillis() && modelMatches(gpus.get(position), request)
                    && (best < 0 || gpuUsedByDevice[position] > gpuUsedByDevice[best])) {
                best = position;
            }
        }
        return best;
    }

    /** Whether the device {@link #chooseGpus} picks for a share is entirely free (so the share breaks it). */
    boolean shareWouldUseFreeDevice(Resources request) {
        if (gpuUsedByDevice == null || !request.isGpuShare()) {
            return false;
        }
        int position = sharePosition(request);
        return position >= 0 && gpuUsedByDevice[position] == 0;
    }

    /**
     * How much GPU the node has left whole: the count of entirely free devices. Best fit on shares keeps it high,
     * and the scorer uses it to keep whole devices for whole-GPU requests.
     */
    int freeWholeGpus() {
        if (gpuUsedByDevice == null) {
            return 0;
        }
        int free = 0;
        for (long deviceUsed : gpuUsedByDevice) {
            if (deviceUsed == 0) {
                free++;
            }
        }
        return free;
    }

    /**
     * The per-device usage as a value, for {@link NodeClasses}: two nodes with the same devices and the same
     * signature take the same GPU requests. Empty on a node without GPUs.
     */
    List<Long> gpuSignature() {
        if (gpuUsedByDevice == null) {
            return List.of();
        }
        List<Long> signature = new ArrayList<>(gpuUsedByDevice.length);
        for (long deviceUsed : gpuUsedByDevice) {
            signature.add(deviceUsed);
        }
        return signature;
    }

    static boolean modelMatches(GpuDevice device, Resources request) {
        return request.gpuModel() == null || request.gpuModel().equalsIgnoreCase(device.model());
    }

    boolean isPortTaken(int port) {
        return takenPorts != null && takenPorts.contains(port);
    }

    int freePorts() {
        return node.ports().size() - takenPortsInRange;
    }

    /**
     * One free port of the node's range per name, chosen at random so that restarts of a job do not keep
     * landing on the same ports; the caller has checked that there are enough. The chosen ports are not
     * marked taken: {@link #add} does that once the instance exists.
     */
    Map<String, Integer> choosePorts(Collection<String> names, RandomGenerator random) {
        Map<String, Integer> chosen = new LinkedHashMap<>();
        Set<Integer> chosenPorts = new HashSet<>();
        for (String name : names) {
            int port = chooseFreePort(chosenPorts, random);
            chosenPorts.add(port);
            chosen.put(name, port);
        }
        return chosen;
    }

    private int chooseFreePort(Set<Integer> alsoTaken, RandomGenerator random) {
        PortRange range = node.ports();
        for (int probe = 0; probe < RANDOM_PORT_PROBES; probe++) {
            int port = range.first() + random.nextInt(range.size());
            if (!isPortTaken(port) && !alsoTaken.contains(port)) {
                return port;
            }
        }
        // A nearly full range: scan from a random start, which always terminates and still spreads choices.
        int start = random.nextInt(range.size());
        for (int offset = 0; offset < range.size(); offset++) {
            int port = range.first() + (start + offset) % range.size();
            if (!isPortTaken(port) && !alsoTaken.contains(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port on node " + node.id() + "; callers check freePorts() first");
    }
}

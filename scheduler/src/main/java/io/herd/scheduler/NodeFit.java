package io.herd.scheduler;

import io.herd.api.GpuDevice;
import io.herd.api.Instance;
import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.api.Resources;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The last line against over-commitment: the plan applier calls it with the newest state of a node before it
 * commits placements that the scheduler chose on an older snapshot. It checks what can change between the two
 * (node status, resources, ports), not constraints, which the scheduler already applied.
 */
public final class NodeFit {
    private NodeFit() {}

    /**
     * Empty when all of {@code proposed} fits on {@code node} next to {@code existing}, else the first reason it
     * does not. Of {@code existing} only instances that {@link Instance#holdsResources() hold resources} count;
     * one with the id of a proposed instance is taken to be that instance and counted once.
     */
    public static Optional<String> check(Node node, Collection<Instance> existing, Collection<Instance> proposed) {
        return check(node, existing, proposed, 0);
    }

    /** As above, with {@code reservedDiskBytes} of the node's disk taken by sticky volumes. */
    public static Optional<String> check(Node node, Collection<Instance> existing, Collection<Instance> proposed,
            long reservedDiskBytes) {
        if (node.status() != NodeStatus.READY) {
            return Optional.of(node.status() == NodeStatus.DOWN ? "node is down" : "node is draining");
        }
        // The node may have become ineligible, or reported a severe condition, after the scheduler's snapshot.
        Optional<String> blocker = node.placementBlocker();
        if (blocker.isPresent()) {
            return blocker;
        }
        Set<String> proposedIds = new HashSet<>();
        for (Instance instance : proposed) {
            if (!instance.nodeId().equals(node.id())) {
                return Optional.of("instance " + instance.id() + " is placed on node " + instance.nodeId()
                        + ", not " + node.id());
            }
            proposedIds.add(instance.id());
        }
        List<Instance> others = new ArrayList<>(existing.size());
        for (Instance instance : existing) {
            if (!proposedIds.contains(instance.id())) {
                others.add(instance);
            }
        }
        NodeUsage usage = NodeUsage.of(node, others);
        usage.reserveDisk(reservedDiskBytes);
        for (Instance instance : proposed) {
            Optional<String> gpuProblem = gpuProblem(node, instance);
            if (gpuProblem.isPresent()) {
                return gpuProblem;
            }
            if (instance.ports().isEmpty()) {
                usage.add(instance);
                continue;
            }
            if (new HashSet<>(instance.ports().values()).size() < instance.ports().size()) {
                return Optional.of("instance " + instance.id() + " gives one port to two names");
            }
            for (int port : instance.ports().values()) {
                if (!node.ports().contains(port)) {
                    return Optional.of("port " + port + " is outside the node's range " + node.ports());
                }
                if (usage.isPortTaken(port)) {
                    return Optional.of("port " + port + " already in use");
                }
            }
            usage.add(instance);
        }
        // Added all at once and then checked: the order of the proposals must not change the answer. This also
        // catches a GPU device given past its 1000 milli-GPUs.
        return usage.insufficientResource(Resources.ZERO);
    }

    /** Whether the devices an instance was given match its GPU request: count, existence, model. */
    private static Optional<String> gpuProblem(Node node, Instance instance) {
        Resources request = instance.resources();
        List<Integer> devices = instance.gpuDevices();
        int expected = request.gpuMillis() <= 0 ? 0 : request.isGpuShare() ? 1 : request.wholeGpus();
        if (request.gpuMillis() >= Resources.GPU_MILLIS_PER_DEVICE
                && request.gpuMillis() % Resources.GPU_MILLIS_PER_DEVICE != 0) {
            return Optional.of("instance " + instance.id() + " asks for a fraction of more than one gpu");
        }
        if (devices.size() != expected || new HashSet<>(devices).size() != devices.size()) {
            return Optional.of("instance " + instance.id() + " was given gpu devices " + devices + " for gpu="
                    + Resources.formatGpu(request.gpuMillis()));
        }
        for (int index : devices) {
            Optional<GpuDevice> device = node.gpus().stream().filter(gpu -> gpu.index() == index).findFirst();
            if (device.isEmpty()) {
                return Optional.of("gpu device " + index + " does not exist on node " + node.id());
            }
            if (!NodeUsage.modelMatches(device.get(), request)) {
                return Optional.of("gpu device " + index + " is a " + device.get().model() + ", not a "
                        + request.gpuModel());
            }
        }
        return Optional.empty();
    }
}

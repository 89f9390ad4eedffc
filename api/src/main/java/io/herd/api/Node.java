package io.herd.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * A machine running {@code herd agent}. {@code address} is the agent's own HTTP address (host:port), used by
 * servers to proxy logs. {@code capacity} is what the scheduler may hand out; {@code gpus} are its GPU devices, by
 * index (each 1000 milli-GPUs; see {@link Resources}).
 *
 * <p>{@code status} is liveness ({@code ready}, {@code down}) or {@code draining} while a {@code drain} is in
 * progress; {@code eligibility} says whether the scheduler may place new instances here (an operator's choice,
 * kept after a drain); {@code conditions} are the problems the agent's detectors last reported, of which the
 * {@link NodeCondition#blocksPlacement() severe} ones also stop new placements.
 */
public record Node(
        String id,
        String name,
        String address,
        Resources capacity,
        Map<String, String> labels,
        Set<String> drivers,
        PortRange ports,
        NodeStatus status,
        Instant registerTime,
        Instant statusTime,
        List<GpuDevice> gpus,
        NodeEligibility eligibility,
        NodeDrain drain,
        List<NodeCondition> conditions) {
    public Node(String id, String name, String address, Resources capacity, Map<String, String> labels,
            Set<String> drivers, PortRange ports, NodeStatus status, Instant registerTime, Instant statusTime) {
        this(id, name, address, capacity, labels, drivers, ports, status, registerTime, statusTime, List.of());
    }

    /** A node without eligibility, drain or conditions (eligible, not draining, no problem reported). */
    public Node(String id, String name, String address, Resources capacity, Map<String, String> labels,
            Set<String> drivers, PortRange ports, NodeStatus status, Instant registerTime, Instant statusTime,
            List<GpuDevice> gpus) {
        this(id, name, address, capacity, labels, drivers, ports, status, registerTime, statusTime, gpus,
                NodeEligibility.ELIGIBLE, null, List.of());
    }

    public Node {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(capacity, "capacity is null");
        labels = labels == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
        drivers = drivers == null ? Set.of() : java.util.Collections.unmodifiableSet(new TreeSet<>(drivers));
        ports = ports == null ? PortRange.DEFAULT : ports;
        status = status == null ? NodeStatus.READY : status;
        gpus = gpus == null ? List.of()
                : gpus.stream().sorted(java.util.Comparator.comparingInt(GpuDevice::index)).toList();
        eligibility = eligibility == null ? NodeEligibility.ELIGIBLE : eligibility;
        conditions = conditions == null ? List.of()
                : conditions.stream().sorted(java.util.Comparator.comparing(NodeCondition::type)).toList();
        // The GPU capacity is the devices', whatever the sender put: one source of truth.
        if (capacity.gpuMillis() != gpus.size() * Resources.GPU_MILLIS_PER_DEVICE || capacity.gpuModel() != null) {
            capacity = capacity.withGpu(gpus.size() * Resources.GPU_MILLIS_PER_DEVICE, null);
        }
    }

    /**
     * The value of an attribute named in a constraint or spread: {@code id}, {@code name}, or a label
     * ({@code node.} prefix optional).
     */
    public Optional<String> attribute(String attr) {
        String key = attr.startsWith("node.") ? attr.substring("node.".length()) : attr;
        return switch (key) {
            case "id" -> Optional.of(id);
            case "name" -> Optional.of(name);
            default -> Optional.ofNullable(labels.get(key));
        };
    }

    public Node withStatus(NodeStatus newStatus, Instant time) {
        return new Node(id, name, address, capacity, labels, drivers, ports, newStatus, registerTime, time, gpus,
                eligibility, drain, conditions);
    }

    public Node withEligibility(NodeEligibility newEligibility) {
        return new Node(id, name, address, capacity, labels, drivers, ports, status, registerTime, statusTime, gpus,
                newEligibility, drain, conditions);
    }

    /** The same node with a drain in progress, or none ({@code null}). */
    public Node withDrain(NodeDrain newDrain) {
        return new Node(id, name, address, capacity, labels, drivers, ports, status, registerTime, statusTime, gpus,
                eligibility, newDrain, conditions);
    }

    public Node withConditions(List<NodeCondition> newConditions) {
        return new Node(id, name, address, capacity, labels, drivers, ports, status, registerTime, statusTime, gpus,
                eligibility, drain, newConditions);
    }

    /** Whether a drain is moving this node's instances away. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isDraining() {
        return drain != null;
    }

    /** The condition of a type, if the agent reported it. */
    public Optional<NodeCondition> condition(String type) {
        return conditions.stream().filter(condition -> condition.type().equals(type)).findFirst();
    }

    /**
     * Why the scheduler may not place a new instance here, whatever the instance: down, draining, ineligible, or
     * a severe condition ({@code node has disk pressure}); empty when it may.
     */
    public Optional<String> placementBlocker() {
        if (status == NodeStatus.DOWN) {
            return Optional.of("node down");
        }
        if (status == NodeStatus.DRAINING || drain != null) {
            return Optional.of("node draining");
        }
        if (eligibility == NodeEligibility.INELIGIBLE) {
            return Optional.of("node ineligible");
        }
        for (NodeCondition condition : conditions) {
            if (condition.blocksPlacement()) {
                return Optional.of(condition.rejectionReason());
            }
        }
        return Optional.empty();
    }
}

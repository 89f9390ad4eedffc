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
        List<GpuDevice> gpus) {
    public Node(String id, String name, String address, Resources capacity, Map<String, String> labels,
            Set<String> drivers, PortRange ports, NodeStatus status, Instant registerTime, Instant statusTime) {
        this(id, name, address, capacity, labels, drivers, ports, status, registerTime, statusTime, List.of());
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
        return new Node(id, name, address, capacity, labels, drivers, ports, newStatus, registerTime, time, gpus);
    }
}

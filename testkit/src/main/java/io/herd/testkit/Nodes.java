package io.herd.testkit;

import io.herd.api.GpuDevice;
import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.api.PortRange;
import io.herd.api.Quantities;
import io.herd.api.Resources;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * Test nodes: {@code Nodes.node("n1").cpu("4").memory("8Gi").label("rack", "r1").build()}. Defaults: id = name,
 * 4 cpus, 8Gi memory, 100Gi disk, driver {@code exec}, ports 20000-32000, ready.
 */
public final class Nodes {
    private Nodes() {}

    public static Builder node(String name) {
        return new Builder(name);
    }

    /** {@code count} default nodes named {@code prefix1 .. prefixN}. */
    public static List<Node> nodes(String prefix, int count) {
        return java.util.stream.IntStream.rangeClosed(1, count).mapToObj(i -> node(prefix + i).build()).toList();
    }

    public static final class Builder {
        private String id;
        private String name;
        private String address;
        private long cpuMillis = 4000;
        private long memoryBytes = 8L << 30;
        private long diskBytes = 100L << 30;
        private final Map<String, String> labels = new TreeMap<>();
        /** Null until a test names drivers, so that the exec default is replaced rather than added to. */
        private Set<String> drivers;
        private PortRange ports = PortRange.DEFAULT;
        private NodeStatus status = NodeStatus.READY;
        private Instant registerTime = FakeClock.DEFAULT_START;
        private final List<GpuDevice> gpus = new ArrayList<>();

        private Builder(String name) {
            this.name = requireNonNull(name, "name is null");
        }

        public Builder id(String newId) {
            this.id = newId;
            return this;
        }

        public Builder name(String newName) {
            this.name = requireNonNull(newName, "name is null");
            return this;
        }

        public Builder address(String newAddress) {
            this.address = newAddress;
            return this;
        }

        /** Kubernetes units: {@code 500m}, {@code 2}. */
        public Builder cpu(String cpu) {
            this.cpuMillis = parse("cpu", cpu, Quantities.parseCpu(cpu));
            return this;
        }

        /** {@code 512Mi}, {@code 8Gi}. */
        public Builder memory(String memory) {
            this.memoryBytes = parse("memory", memory, Quantities.parseSize(memory));
            return this;
        }

        public Builder disk(String disk) {
            this.diskBytes = parse("disk", disk, Quantities.parseSize(disk));
            return this;
        }

        public Builder capacity(Resources capacity) {
            this.cpuMillis = capacity.cpuMillis();
            this.memoryBytes = capacity.memoryBytes();
            this.diskBytes = capacity.diskBytes();
            return this;
        }

        public Builder label(String key, String value) {
            labels.put(key, value);
            return this;
        }

        /** Adds a driver; the first call replaces the default {@code exec}. */
        public Builder driver(String driver) {
            if (drivers == null) {
                drivers = new LinkedHashSet<>();
            }
            drivers.add(driver);
            return this;
        }

        /** Exactly these drivers; no argument gives a node without any driver. */
        public Builder drivers(String... newDrivers) {
            drivers = new LinkedHashSet<>(List.of(newDrivers));
            return this;
        }

        public Builder ports(int first, int last) {
            this.ports = new PortRange(first, last);
            return this;
        }

        public Builder status(NodeStatus newStatus) {
            this.status = requireNonNull(newStatus, "status is null");
            return this;
        }

        /** Adds {@code count} GPU devices of {@code model}, numbered after those already added. */
        public Builder gpus(int count, String model) {
            for (int i = 0; i < count; i++) {
                gpus.add(new GpuDevice(gpus.size(), model, 16L << 30));
            }
            return this;
        }

        public Builder registerTime(Instant time) {
            this.registerTime = time;
            return this;
        }

        public Node build() {
            return new Node(id == null ? name : id, name, address, new Resources(cpuMillis, memoryBytes, diskBytes),
                    labels, drivers == null ? Set.of("exec") : drivers, ports, status, registerTime, registerTime, gpus);
        }
    }

    static long parse(String what, String text, java.util.Optional<Long> value) {
        return value.orElseThrow(() -> new IllegalArgumentException(text + " is not a " + what + " quantity"));
    }
}

package io.herd.scheduler;

import io.herd.api.Instance;
import io.herd.api.Node;
import io.herd.api.PortRange;
import io.herd.api.Resources;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * What is taken on one node: the resources and host ports of the instances that hold them
 * ({@link Instance#holdsResources()}), plus whatever the current plan adds. Built once per node and per
 * {@link Scheduler#process} call and updated as placements are chosen, so that checking a node is a few
 * comparisons instead of a walk over its instances. Not thread-safe; confined to one call.
 */
final class NodeUsage {
    /** Random probes before falling back to a scan; a range is rarely so full that they all miss. */
    private static final int RANDOM_PORT_PROBES = 16;

    private final Node node;
    // Sums kept as primitives: building the usage of every node walks every instance, and a Resources object per
    // instance would be garbage by the million on a large cell.
    private long cpuUsed;
    private long memoryUsed;
    private long diskUsed;
    /** The sums as a record, made when asked for and kept until the next {@link #add}. */
    private Resources used = Resources.ZERO;
    /** Null until an instance with ports is added: most have none. */
    private Set<Integer> takenPorts;
    private int takenPortsInRange;

    private NodeUsage(Node node) {
        this.node = node;
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

    Node node() {
        return node;
    }

    Resources used() {
        if (used == null) {
            used = new Resources(cpuUsed, memoryUsed, diskUsed);
        }
        return used;
    }

    void add(Instance instance) {
        Resources resources = instance.resources();
        cpuUsed += resources.cpuMillis();
        memoryUsed += resources.memoryBytes();
        diskUsed += resources.diskBytes();
        used = null;
        if (instance.ports().isEmpty()) {
            // Most instances have no ports; iterating an empty map still costs an iterator, on every node.
            return;
        }
        if (takenPorts == null) {
            takenPorts = new HashSet<>();
        }
        for (int port : instance.ports().values()) {
            if (takenPorts.add(port) && node.ports().contains(port)) {
                takenPortsInRange++;
            }
        }
    }

    /** The first resource (cpu, memory, disk) that {@code request} would over-commit, as a rejection reason. */
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
        return Optional.empty();
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

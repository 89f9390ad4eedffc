package io.herd.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Tasks that run together on one node, {@code count} times. Placement: {@code constraints} are hard rules on
 * nodes, {@code affinities} soft ones, {@code spread} spreads the instances over the values of a node attribute;
 * {@code distinctHosts} puts at most one instance of the group on a node and {@code maxPerNode}, when set, at most
 * that many (both hard). {@code volumes} make the group stateful: each index keeps its own sticky local volumes
 * on the node it first ran on (see {@link Volume}).
 */
public record Group(
        String name,
        int count,
        List<Constraint> constraints,
        List<Affinity> affinities,
        Spread spread,
        // Written only when true, so that specs without it (most) do not grow a field in diffs and listings.
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean distinctHosts,
        Integer maxPerNode,
        UpdatePolicy update,
        RestartPolicy restart,
        List<Service> services,
        List<Task> tasks,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Volume> volumes) {
    public Group {
        requireNonNull(name, "name is null");
        constraints = constraints == null ? List.of() : List.copyOf(constraints);
        affinities = affinities == null ? List.of() : List.copyOf(affinities);
        services = services == null ? List.of() : List.copyOf(services);
        tasks = tasks == null ? List.of() : List.copyOf(tasks);
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
    }

    /** A group without volumes. */
    public Group(String name, int count, List<Constraint> constraints, List<Affinity> affinities, Spread spread,
            boolean distinctHosts, Integer maxPerNode, UpdatePolicy update, RestartPolicy restart,
            List<Service> services, List<Task> tasks) {
        this(name, count, constraints, affinities, spread, distinctHosts, maxPerNode, update, restart, services, tasks,
                List.of());
    }

    /** A group without affinities, spread targets or per-node limits. */
    public Group(String name, int count, List<Constraint> constraints, Spread spread, UpdatePolicy update,
            RestartPolicy restart, List<Service> services, List<Task> tasks) {
        this(name, count, constraints, List.of(), spread, false, null, update, restart, services, tasks);
    }

    /**
     * How many instances of this group one node may hold: 1 with {@code distinctHosts}, else {@code maxPerNode},
     * else no limit ({@link Integer#MAX_VALUE}).
     */
    @JsonIgnore
    public int perNodeLimit() {
        int limit = maxPerNode == null ? Integer.MAX_VALUE : maxPerNode;
        return distinctHosts ? Math.min(1, limit) : limit;
    }

    /** The resources one instance of this group needs: the sum over its tasks. */
    @JsonIgnore
    public Resources resources() {
        Resources total = Resources.ZERO;
        for (Task task : tasks) {
            total = total.plus(task.resources());
        }
        return total;
    }

    /** Every named port the group's tasks ask for, each once. */
    @JsonIgnore
    public Set<String> portNames() {
        Set<String> names = new LinkedHashSet<>();
        for (Task task : tasks) {
            names.addAll(task.ports());
        }
        return names;
    }

    @JsonIgnore
    public Set<String> drivers() {
        Set<String> drivers = new LinkedHashSet<>();
        for (Task task : tasks) {
            drivers.add(task.driver());
        }
        return drivers;
    }

    public Group withCount(int newCount) {
        return new Group(name, newCount, constraints, affinities, spread, distinctHosts, maxPerNode, update, restart,
                services, tasks, volumes);
    }

    public Group withUpdate(UpdatePolicy newUpdate) {
        return new Group(name, count, constraints, affinities, spread, distinctHosts, maxPerNode, newUpdate, restart,
                services, tasks, volumes);
    }

    public Group withVolumes(List<Volume> newVolumes) {
        return new Group(name, count, constraints, affinities, spread, distinctHosts, maxPerNode, update, restart,
                services, tasks, newVolumes);
    }

    /** Whether instances of this group keep sticky volumes, which ties each index to one node. */
    @JsonIgnore
    public boolean isStateful() {
        return !volumes.isEmpty();
    }

    /** The disk the group's volumes reserve per index (on top of {@link #resources()}). */
    @JsonIgnore
    public long volumeBytes() {
        long total = 0;
        for (Volume volume : volumes) {
            total += volume.sizeBytes();
        }
        return total;
    }
}

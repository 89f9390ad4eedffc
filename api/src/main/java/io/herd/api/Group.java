package io.herd.api;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/** Tasks that run together on one node, {@code count} times. */
public record Group(
        String name,
        int count,
        List<Constraint> constraints,
        Spread spread,
        UpdatePolicy update,
        RestartPolicy restart,
        List<Service> services,
        List<Task> tasks) {
    public Group {
        requireNonNull(name, "name is null");
        constraints = constraints == null ? List.of() : List.copyOf(constraints);
        services = services == null ? List.of() : List.copyOf(services);
        tasks = tasks == null ? List.of() : List.copyOf(tasks);
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
        return new Group(name, newCount, constraints, spread, update, restart, services, tasks);
    }
}

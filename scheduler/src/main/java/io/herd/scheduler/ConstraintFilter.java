package io.herd.scheduler;

import io.herd.api.Constraint;
import io.herd.api.Group;
import io.herd.api.Job;
import io.herd.api.Node;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The hard constraints of a job and one of its groups, compiled once per group (a regex or a version range is
 * parsed once, not once per node). They depend only on a node's attributes, so they are static filters: a node
 * that fails one fails it for the whole plan, and nodes alike in everything but their labels land in different
 * {@link NodeClasses} only if they pass, never because of it.
 */
final class ConstraintFilter {
    private record Compiled(Constraint constraint, Predicate<String> test) {}

    private final List<Compiled> constraints;

    private ConstraintFilter(List<Compiled> constraints) {
        this.constraints = constraints;
    }

    /** The job's constraints first, then the group's: the first one a node fails is its reason. */
    static ConstraintFilter of(Job job, Group group) {
        List<Compiled> compiled = new ArrayList<>();
        for (Constraint constraint : job.constraints()) {
            compiled.add(new Compiled(constraint, constraint.compile()));
        }
        for (Constraint constraint : group.constraints()) {
            compiled.add(new Compiled(constraint, constraint.compile()));
        }
        return new ConstraintFilter(List.copyOf(compiled));
    }

    boolean isEmpty() {
        return constraints.isEmpty();
    }

    /** Why the node fails a constraint ("constraint node.kernel version >= 5.4 not met"), or empty. */
    Optional<String> rejection(Node node) {
        for (Compiled compiled : constraints) {
            if (!compiled.test().test(node.attribute(compiled.constraint().attr()).orElse(null))) {
                return Optional.of(Feasibility.constraintNotMet(compiled.constraint()));
            }
        }
        return Optional.empty();
    }
}

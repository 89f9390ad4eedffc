package io.herd.api;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * A soft preference for nodes: those whose attribute matches ({@code attr op values}, the operators of a
 * {@link Constraint}) score higher by {@code weight}, from -100 to 100; a negative weight is an anti-affinity.
 * Affinities change which feasible node wins, never whether a node is feasible.
 */
public record Affinity(String attr, Constraint.Operator op, List<String> values, int weight) {
    public static final int MAX_WEIGHT = 100;

    public Affinity {
        requireNonNull(attr, "attr is null");
        requireNonNull(op, "op is null");
        values = values == null ? List.of() : List.copyOf(values);
    }

    /** The condition a node must meet to get the weight. */
    public Constraint condition() {
        return new Constraint(attr, op, values);
    }

    @Override
    public String toString() {
        return condition() + " weight " + weight;
    }
}

package io.herd.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Spread a group's instances across the values of a node attribute (e.g. {@code node.rack}): evenly without
 * {@code targets}, else value {@code v} gets {@code percent} of the group's count, and the values not listed share
 * what is left of 100 percent evenly.
 */
public record Spread(String attr, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Target> targets) {
    public Spread {
        requireNonNull(attr, "attr is null");
        targets = targets == null ? List.of() : List.copyOf(targets);
    }

    /** An even spread. */
    public Spread(String attr) {
        this(attr, List.of());
    }

    /** {@code percent} (0-100) of the group's instances on nodes whose attribute is {@code value}. */
    public record Target(String value, int percent) {
        public Target {
            requireNonNull(value, "value is null");
        }
    }

    public String attributeName() {
        return attr.startsWith("node.") ? attr.substring("node.".length()) : attr;
    }
}

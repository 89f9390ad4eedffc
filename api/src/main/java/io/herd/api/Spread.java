package io.herd.api;

import static java.util.Objects.requireNonNull;

/** Spread a group's instances evenly across the values of a node attribute (e.g. {@code node.rack}). */
public record Spread(String attr) {
    public Spread {
        requireNonNull(attr, "attr is null");
    }

    public String attributeName() {
        return attr.startsWith("node.") ? attr.substring("node.".length()) : attr;
    }
}

package io.herd.state;

import io.herd.api.Node;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * An agent registers its node, or registers again after a restart. {@code commandId} seeds the ids of the
 * evaluations apply may create.
 */
public record UpsertNode(Node node, String commandId, Instant time) implements Command {
    public UpsertNode {
        requireNonNull(node, "node is null");
        requireNonNull(commandId, "commandId is null");
        requireNonNull(time, "time is null");
    }
}

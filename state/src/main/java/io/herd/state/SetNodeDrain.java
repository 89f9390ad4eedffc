package io.herd.state;

import io.herd.api.NodeDrain;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * An operator starts a drain ({@code drain} set: the node becomes ineligible and draining, and every job with a
 * live instance there is evaluated so that the reconciler starts moving them), changes its deadline, or cancels
 * it ({@code drain} null: the node stops draining and stays ineligible). {@code commandId} seeds the ids of the
 * evaluations apply creates.
 */
public record SetNodeDrain(String nodeId, NodeDrain drain, String commandId, Instant time) implements Command {
    public SetNodeDrain {
        requireNonNull(nodeId, "nodeId is null");
        requireNonNull(commandId, "commandId is null");
        requireNonNull(time, "time is null");
    }
}

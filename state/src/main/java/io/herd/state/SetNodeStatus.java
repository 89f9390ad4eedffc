package io.herd.state;

import io.herd.api.NodeStatus;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * A liveness change decided by the leader (node missed its heartbeats, came back) or by an operator (drain).
 * Heartbeats themselves never go through Raft.
 */
public record SetNodeStatus(String nodeId, NodeStatus status, String commandId, Instant time) implements Command {
    public SetNodeStatus {
        requireNonNull(nodeId, "nodeId is null");
        requireNonNull(status, "status is null");
        requireNonNull(commandId, "commandId is null");
        requireNonNull(time, "time is null");
    }
}

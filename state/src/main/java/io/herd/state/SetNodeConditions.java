package io.herd.state;

import io.herd.api.NodeCondition;

import java.time.Instant;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * An agent's detectors changed their verdict on its node: the node's conditions become {@code conditions}. Proposed
 * only when they differ from the stored ones, so that heartbeats stay off the Raft log otherwise. {@code commandId}
 * seeds the ids of the evaluations apply creates when a severe condition clears.
 */
public record SetNodeConditions(String nodeId, List<NodeCondition> conditions, String commandId, Instant time)
        implements Command {
    public SetNodeConditions {
        requireNonNull(nodeId, "nodeId is null");
        conditions = conditions == null ? List.of() : List.copyOf(conditions);
        requireNonNull(commandId, "commandId is null");
        requireNonNull(time, "time is null");
    }
}

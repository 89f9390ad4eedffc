package io.herd.state;

import io.herd.api.NodeEligibility;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * An operator turns new placements on a node on or off ({@code herd node eligibility NODE on|off}). Turning them
 * back on also ends a drain in progress: the operator wants the node used again.
 */
public record SetNodeEligibility(String nodeId, NodeEligibility eligibility, String commandId, Instant time)
        implements Command {
    public SetNodeEligibility {
        requireNonNull(nodeId, "nodeId is null");
        requireNonNull(eligibility, "eligibility is null");
        requireNonNull(commandId, "commandId is null");
        requireNonNull(time, "time is null");
    }
}

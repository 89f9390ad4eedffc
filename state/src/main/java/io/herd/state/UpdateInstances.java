package io.herd.state;

import io.herd.api.InstanceStatusUpdate;

import java.time.Instant;
import java.util.List;

import static java.util.Objects.requireNonNull;

/** What the agent of {@code nodeId} reports about the instances it runs. */
public record UpdateInstances(String nodeId, List<InstanceStatusUpdate> updates, String commandId, Instant time)
        implements Command {
    public UpdateInstances {
        requireNonNull(nodeId, "nodeId is null");
        requireNonNull(commandId, "commandId is null");
        requireNonNull(time, "time is null");
        updates = updates == null ? List.of() : List.copyOf(updates);
    }
}

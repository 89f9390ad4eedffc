package io.herd.state;

import java.time.Instant;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The reports of many agents in one command: the leader gathers the reports that arrive while a proposal is in
 * flight and commits them together, so thousands of agents reporting at once cost a few Raft entries instead of
 * one each. Applied exactly as the {@link UpdateInstances} of each node in turn, except that evaluations are
 * created once per job for the whole batch, with ids derived from {@code commandId}.
 */
public record UpdateInstancesBatch(List<NodeReport> reports, String commandId, Instant time) implements Command {
    public UpdateInstancesBatch {
        requireNonNull(commandId, "commandId is null");
        requireNonNull(time, "time is null");
        reports = reports == null ? List.of() : List.copyOf(reports);
    }

    /** What the agent of {@code nodeId} reported. */
    public record NodeReport(String nodeId, List<io.herd.api.InstanceStatusUpdate> updates) {
        public NodeReport {
            requireNonNull(nodeId, "nodeId is null");
            updates = updates == null ? List.of() : List.copyOf(updates);
        }
    }
}

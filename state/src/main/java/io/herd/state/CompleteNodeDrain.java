package io.herd.state;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * The leader's drainer saw a draining node without any instance left to run: the drain ends, the node is
 * {@code ready} again and stays ineligible until an operator turns it back on.
 */
public record CompleteNodeDrain(String nodeId, String commandId, Instant time) implements Command {
    public CompleteNodeDrain {
        requireNonNull(nodeId, "nodeId is null");
        requireNonNull(commandId, "commandId is null");
        requireNonNull(time, "time is null");
    }
}

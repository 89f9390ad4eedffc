package io.herd.state;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * The leader's drainer saw a drain's deadline pass: every instance still live on the node is asked to stop (batch
 * instances that did not finish, services not yet moved) and its job is evaluated so that it runs elsewhere.
 */
public record NodeDrainDeadline(String nodeId, String commandId, Instant time) implements Command {
    public NodeDrainDeadline {
        requireNonNull(nodeId, "nodeId is null");
        requireNonNull(commandId, "commandId is null");
        requireNonNull(time, "time is null");
    }
}

package io.herd.api.wire;

import io.herd.api.NodeCondition;

import java.util.List;

/**
 * The body of an agent's heartbeat. {@code conditions} is null when they did not change since the agent last sent
 * them, so that a heartbeat stays one small request; the full list when they did.
 */
public record HeartbeatRequest(List<NodeCondition> conditions) {
    public static final HeartbeatRequest UNCHANGED = new HeartbeatRequest(null);
}

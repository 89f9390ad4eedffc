package io.herd.api.wire;

import io.herd.api.NodeStatus;

/** {@code known} is false when the leader has no such node (the agent must register again). */
public record HeartbeatResponse(boolean known, NodeStatus status) {}

package io.herd.api.wire;

import java.time.Duration;

/** Tells the agent how often to heartbeat. */
public record RegisterNodeResponse(String nodeId, Duration heartbeatInterval, long index) {}

package io.herd.api.wire;

import java.util.List;

/** Answer to {@code GET /v1/status}: who answers, who leads, and how far this replica has applied the log. */
public record ClusterStatus(String serverId, String leaderId, String leaderHttpAddress, long appliedIndex,
        List<ServerInfo> servers) {}

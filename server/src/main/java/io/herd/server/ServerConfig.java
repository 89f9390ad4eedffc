package io.herd.server;

import io.herd.api.GcPolicy;

import io.herd.state.EventPolicy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Everything one control-plane replica needs. With no {@code peers} the server forms a group of one.
 *
 * @param id                 this server's Raft peer id (letters, digits, '-')
 * @param dataDir            Raft log, snapshots and state live here
 * @param httpAddress        host:port of the HTTP API (port 0 picks a free port)
 * @param raftAddress        host:port this server's Raft RPC listens on
 * @param peers              every member of the group, this server included; empty for a group of one
 * @param nodeTimeout        a node silent this long is marked down
 * @param heartbeatInterval  how often agents are told to heartbeat
 * @param schedulerWorkers   scheduler worker threads on the leader
 * @param events             how long and how many events are kept ({@code --event-retention}, {@code --event-limit});
 *                           every server of a group must be given the same
 * @param usageRetention     how long the cpu and memory history is kept ({@code --usage-retention}); zero turns it
 *                           off; every server of a group must be given the same
 * @param gcDefaults         how many finished instances per index, and for how long, jobs without a {@code gc}
 *                           policy keep ({@code --gc-keep-finished}, {@code --gc-keep-for})
 * @param gcInterval         how often the leader collects garbage ({@code --gc-interval})
 */
public record ServerConfig(
        String id,
        Path dataDir,
        String httpAddress,
        String raftAddress,
        List<Peer> peers,
        Duration nodeTimeout,
        Duration heartbeatInterval,
        int schedulerWorkers,
        EventPolicy events,
        Duration usageRetention,
        GcPolicy gcDefaults,
        Duration gcInterval) {
    public static final String DEFAULT_HTTP_ADDRESS = "127.0.0.1:7700";
    public static final String DEFAULT_RAFT_ADDRESS = "127.0.0.1:7800";
    public static final Duration DEFAULT_NODE_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_GC_INTERVAL = Duration.ofSeconds(30);

    public ServerConfig {
        requireNonNull(id, "id is null");
        requireNonNull(dataDir, "dataDir is null");
        requireNonNull(httpAddress, "httpAddress is null");
        requireNonNull(raftAddress, "raftAddress is null");
        peers = peers == null ? List.of() : List.copyOf(peers);
        nodeTimeout = nodeTimeout == null ? DEFAULT_NODE_TIMEOUT : nodeTimeout;
        heartbeatInterval = heartbeatInterval == null ? DEFAULT_HEARTBEAT_INTERVAL : heartbeatInterval;
        if (schedulerWorkers <= 0) {
            schedulerWorkers = 2;
        }
        events = events == null ? EventPolicy.DEFAULT : events;
        usageRetention = usageRetention == null ? io.herd.state.usage.UsageHistory.DEFAULT_RETENTION : usageRetention;
        if (usageRetention.isNegative()) {
            throw new IllegalArgumentException("usage retention must not be negative, got " + usageRetention);
        }
        gcDefaults = gcDefaults == null ? GcPolicy.CLUSTER_DEFAULT : gcDefaults.orElse(GcPolicy.CLUSTER_DEFAULT);
        gcInterval = gcInterval == null || gcInterval.isNegative() || gcInterval.isZero() ? DEFAULT_GC_INTERVAL
                : gcInterval;
    }

    /** A configuration keeping usage history by the default retention, with the default garbage collection. */
    public ServerConfig(String id, Path dataDir, String httpAddress, String raftAddress, List<Peer> peers,
            Duration nodeTimeout, Duration heartbeatInterval, int schedulerWorkers, EventPolicy events) {
        this(id, dataDir, httpAddress, raftAddress, peers, nodeTimeout, heartbeatInterval, schedulerWorkers, events,
                null, null, null);
    }

    /** The same configuration keeping usage history for {@code retention} (zero: none). */
    public ServerConfig withUsageRetention(Duration retention) {
        return new ServerConfig(id, dataDir, httpAddress, raftAddress, peers, nodeTimeout, heartbeatInterval,
                schedulerWorkers, events, retention, gcDefaults, gcInterval);
    }

    /** The same configuration with another default garbage collection policy and interval. */
    public ServerConfig withGc(GcPolicy newDefaults, Duration newInterval) {
        return new ServerConfig(id, dataDir, httpAddress, raftAddress, peers, nodeTimeout, heartbeatInterval,
                schedulerWorkers, events, usageRetention, newDefaults, newInterval);
    }

    /** A configuration keeping events by the default policy. */
    public ServerConfig(String id, Path dataDir, String httpAddress, String raftAddress, List<Peer> peers,
            Duration nodeTimeout, Duration heartbeatInterval, int schedulerWorkers) {
        this(id, dataDir, httpAddress, raftAddress, peers, nodeTimeout, heartbeatInterval, schedulerWorkers, null);
    }

    /** The same configuration keeping events by {@code policy}. */
    public ServerConfig withEvents(EventPolicy policy) {
        return new ServerConfig(id, dataDir, httpAddress, raftAddress, peers, nodeTimeout, heartbeatInterval,
                schedulerWorkers, policy, usageRetention, gcDefaults, gcInterval);
    }

    public static ServerConfig defaults(Path dataDir) {
        return new ServerConfig("server-1", dataDir, DEFAULT_HTTP_ADDRESS, DEFAULT_RAFT_ADDRESS, List.of(),
                DEFAULT_NODE_TIMEOUT, DEFAULT_HEARTBEAT_INTERVAL, 2);
    }

    /** The group's members: {@code peers}, or this server alone. */
    public List<Peer> members() {
        return peers.isEmpty() ? List.of(new Peer(id, raftAddress)) : peers;
    }

    /** One Raft group member, written {@code id=host:port} on the command line. */
    public record Peer(String id, String raftAddress) {
        public static Peer parse(String text) {
            int equals = text.indexOf('=');
            if (equals <= 0 || equals == text.length() - 1) {
                throw new IllegalArgumentException("a peer looks like id=host:port, got '" + text + "'");
            }
            return new Peer(text.substring(0, equals).trim(), text.substring(equals + 1).trim());
        }

        public static List<Peer> parseList(String commaSeparated) {
            List<Peer> peers = new ArrayList<>();
            for (String part : commaSeparated.split(",")) {
                if (!part.isBlank()) {
                    peers.add(parse(part.trim()));
                }
            }
            return peers;
        }
    }
}

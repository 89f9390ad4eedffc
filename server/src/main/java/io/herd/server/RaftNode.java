package io.herd.server;

import io.herd.api.ErrorCode;
import io.herd.api.HerdException;
import io.herd.server.metrics.RaftMetrics;
import io.herd.state.ApplyResult;
import io.herd.state.Command;
import io.herd.state.HerdStateMachine;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * This server's member of the Raft group (Apache Ratis over gRPC) and a client to propose commands to the
 * group. Proposals return once the leader has applied the command, with what apply did.
 */
final class RaftNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);
    /** One fixed group: a Herd cluster is one Raft group. */
    static final RaftGroupId GROUP_ID = RaftGroupId.valueOf(UUID.nameUUIDFromBytes("herd".getBytes(StandardCharsets.UTF_8)));
    private static final Duration PROPOSE_TIMEOUT = Duration.ofSeconds(20);

    private final RaftServer server;
    private final RaftClient client;
    private final RaftPeerId selfId;
    private final RaftMetrics metrics;
    /** Identifies this server's own proposals to its local Raft server; call ids make each one unique. */
    private final ClientId localClientId = ClientId.randomId();
    private final java.util.concurrent.atomic.AtomicLong nextCallId = new java.util.concurrent.atomic.AtomicLong();

    private RaftNode(RaftServer server, RaftClient client, RaftPeerId selfId, RaftMetrics metrics) {
        this.metrics = metrics;
        this.server = server;
        this.client = client;
        this.selfId = selfId;
    }

    static RaftNode start(ServerConfig config, HerdStateMachine stateMachine, RaftMetrics metrics) throws IOException {
        List<RaftPeer> peers = config.members().stream()
                .map(peer -> RaftPeer.newBuilder().setId(peer.id()).setAddress(peer.raftAddress()).build())
                .toList();
        RaftPeerId selfId = RaftPeerId.valueOf(config.id());
        if (peers.stream().noneMatch(peer -> peer.getId().equals(selfId))) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "--peers must include this server's own id " + config.id());
        }
        RaftGroup group = RaftGroup.valueOf(GROUP_ID, peers);
        RaftProperties properties = new RaftProperties();
        Path storage = config.dataDir().resolve("raft");
        Files.createDirectories(storage);
        RaftServerConfigKeys.setStorageDir(properties, List.of(storage.toFile()));
        String raftAddress = config.members().stream().filter(peer -> peer.id().equals(config.id()))
                .findFirst().orElseThrow().raftAddress();
        GrpcConfigKeys.Server.setHost(properties, hostOf(raftAddress));
        GrpcConfigKeys.Server.setPort(properties, portOf(raftAddress));
        // Several JVMs share two cores in tests and on laptops: generous election timeouts avoid needless
        // elections when a process is briefly starved; failover still takes only a few seconds.
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, TimeDuration.valueOf(1000, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, TimeDuration.valueOf(2000, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setRequestTimeout(properties, TimeDuration.valueOf(5000, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, 5000);
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(properties, 2);

        boolean existing = Files.isDirectory(storage.resolve(GROUP_ID.getUuid().toString()));
        RaftServer server = RaftServer.newBuilder()
                .setServerId(selfId)
                .setGroup(group)
                .setStateMachine(stateMachine)
                .setProperties(properties)
                .setOption(existing ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
                .build();
        server.start();
        LOG.info("Raft member {} started on {} ({} storage at {}), group of {}", config.id(), raftAddress,
                existing ? "recovered" : "new", storage, peers.size());

        RaftProperties clientProperties = new RaftProperties();
        RaftServerConfigKeys.Rpc.setRequestTimeout(clientProperties, TimeDuration.valueOf(5000, TimeUnit.MILLISECONDS));
        ClientId clientId = ClientId.randomId();
        RaftClient client = RaftClient.newBuilder()
                .setProperties(clientProperties)
                .setRaftGroup(group)
                .setLeaderId(selfId)
                .setClientId(clientId)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(60,
                        TimeDuration.valueOf(300, TimeUnit.MILLISECONDS)))
                .setClientRpc(new GrpcFactory(new Parameters()).newRaftClientRpc(clientId, clientProperties))
                .build();
        return new RaftNode(server, client, selfId, metrics);
    }

    /**
     * Replicates the command and waits until the leader has applied it. On the leader (where every write of the
     * HTTP API and all leader services run) the request goes straight into the local Raft server: a Ratis client
     * caches the leader it last saw and, after a failover, may keep dialling the dead one. Elsewhere (a
     * follower registering itself at start-up) the Ratis client finds the leader.
     */
    ApplyResult propose(Command command) {
        String commandName = command.getClass().getSimpleName();
        long started = System.nanoTime();
        boolean committed = false;
        try {
            RaftClientReply reply = (isLeader() ? submitLocally(command) : client.async().send(HerdStateMachine.encode(command)))
                    .get(PROPOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            committed = reply.isSuccess();
            if (!reply.isSuccess()) {
                String reason = reply.getException() == null ? "unknown" : reply.getException().getMessage();
                throw new HerdException(ErrorCode.UNAVAILABLE, "the cluster did not commit the change: " + reason);
            }
            return HerdStateMachine.decodeResult(reply.getMessage());
        } catch (TimeoutException e) {
            throw new HerdException(ErrorCode.TIMEOUT, "the change was not committed within "
                    + PROPOSE_TIMEOUT.toSeconds() + "s (is a majority of servers up?); it may still be applied", List.of(), e);
        } catch (ExecutionException e) {
            throw new HerdException(ErrorCode.UNAVAILABLE, "the cluster did not commit the change: "
                    + e.getCause().getMessage(), List.of(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HerdException(ErrorCode.UNAVAILABLE, "interrupted while committing", List.of(), e);
        } finally {
            if (committed) {
                metrics.applied(commandName, Duration.ofNanos(System.nanoTime() - started));
            } else {
                metrics.proposalFailed(commandName);
            }
        }
    }

    private java.util.concurrent.CompletableFuture<RaftClientReply> submitLocally(Command command) {
        RaftClientRequest request = RaftClientRequest.newBuilder()
                .setClientId(localClientId)
                .setServerId(selfId)
                .setGroupId(GROUP_ID)
                .setCallId(nextCallId.incrementAndGet())
                .setMessage(HerdStateMachine.encode(command))
                .setType(RaftClientRequest.writeRequestType())
                .setTimeoutMs(PROPOSE_TIMEOUT.toMillis())
                .build();
        try {
            return server.submitClientRequestAsync(request);
        } catch (IOException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    private boolean isLeader() {
        return info().map(DivisionInfo::isLeader).orElse(false);
    }

    private Optional<DivisionInfo> info() {
        try {
            return Optional.of(server.getDivision(GROUP_ID).getInfo());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Leader and caught up with every entry of earlier terms: safe to run leader-only work. */
    boolean isReadyLeader() {
        return info().map(info -> info.isLeader() && info.isLeaderReady()).orElse(false);
    }

    Optional<String> leaderId() {
        return info().map(DivisionInfo::getLeaderId).map(RaftPeerId::toString);
    }

    /** Role, term, commit and apply index of this member, for metrics; empty while Ratis has no division. */
    Optional<RaftMetrics.RaftStatus> status() {
        try {
            RaftServer.Division division = server.getDivision(GROUP_ID);
            DivisionInfo info = division.getInfo();
            return Optional.of(new RaftMetrics.RaftStatus(info.getCurrentRole().name().toLowerCase(java.util.Locale.ROOT),
                    info.getCurrentTerm(), division.getRaftLog().getLastCommittedIndex(), info.getLastAppliedIndex()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    long term() {
        return info().map(DivisionInfo::getCurrentTerm).orElse(0L);
    }

    String selfId() {
        return selfId.toString();
    }

    private static String hostOf(String address) {
        int colon = address.lastIndexOf(':');
        return colon <= 0 ? "127.0.0.1" : address.substring(0, colon);
    }

    private static int portOf(String address) {
        int colon = address.lastIndexOf(':');
        try {
            return Integer.parseInt(address.substring(colon + 1));
        } catch (RuntimeException e) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "a Raft address looks like host:port, got " + address);
        }
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            LOG.warn("closing the Raft client failed", e);
        }
        try {
            server.close();
        } catch (IOException e) {
            LOG.warn("closing the Raft server failed", e);
        }
    }
}

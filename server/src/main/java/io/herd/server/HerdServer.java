package io.herd.server;

import io.herd.api.ErrorCode;
import io.herd.api.HerdException;
import io.herd.server.metrics.ServerMetrics;
import io.herd.state.ClusterState;
import io.herd.state.HerdStateMachine;
import io.herd.state.RegisterServer;
import io.herd.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.time.InstantSource;
import java.util.List;

/**
 * One control-plane replica: the replicated state (Ratis), leader-only services, and the HTTP API.
 * {@link #start} returns once HTTP listens; the server then registers its HTTP address in the replicated
 * state (so followers know where to forward writes) as soon as the group has a leader.
 */
public final class HerdServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HerdServer.class);

    private final ServerConfig config;
    private final RaftNode raft;
    private final LeaderServices leader;
    private final HttpApi http;
    private final String httpAddress;
    private final Thread registration;

    private HerdServer(ServerConfig config, RaftNode raft, LeaderServices leader, HttpApi http, String httpAddress,
            StateStore store, InstantSource clock) {
        this.config = config;
        this.raft = raft;
        this.leader = leader;
        this.http = http;
        this.httpAddress = httpAddress;
        this.registration = Thread.ofPlatform().name("server-registration").daemon()
                .unstarted(() -> registerSelf(store, clock));
    }

    public static HerdServer start(ServerConfig config) {
        return start(config, InstantSource.system());
    }

    public static HerdServer start(ServerConfig config, InstantSource clock) {
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "cannot create data directory " + config.dataDir() + ": " + e.getMessage());
        }
        StateStore store = new StateStore(new ClusterState(config.events(), config.usageRetention()));
        ServerMetrics metrics = new ServerMetrics(store);
        RaftNode raft;
        try {
            raft = RaftNode.start(config, new HerdStateMachine(store), metrics.raft());
        } catch (IOException e) {
            throw new HerdException(ErrorCode.UNAVAILABLE, "cannot start Raft on " + config.raftAddress() + ": " + e.getMessage(),
                    List.of(), e);
        }
        metrics.raft().watch(raft::status);
        LeaderServices leader = new LeaderServices(store, raft, clock, config, metrics.scheduler());
        ClusterService service = new ClusterService(store, raft, leader, clock, config);
        HttpApi http;
        try {
            http = HttpApi.start(service, config.httpAddress(), metrics);
        } catch (RuntimeException e) {
            raft.close();
            throw e instanceof HerdException herd ? herd : new HerdException(ErrorCode.UNAVAILABLE,
                    "cannot listen on " + config.httpAddress() + ": " + e.getMessage(), List.of(), e);
        }
        String host = config.httpAddress().substring(0, config.httpAddress().lastIndexOf(':'));
        String httpAddress = host + ":" + http.port();
        leader.start();
        HerdServer server = new HerdServer(config, raft, leader, http, httpAddress, store, clock);
        server.registration.start();
        LOG.info("Herd server {} listening on http://{} (data in {})", config.id(), httpAddress, config.dataDir());
        return server;
    }

    /** Records this server's HTTP address in the replicated state; retried until the group has a leader. */
    private void registerSelf(StateStore store, InstantSource clock) {
        String raftAddress = config.members().stream().filter(peer -> peer.id().equals(config.id())).findFirst()
                .orElseThrow().raftAddress();
        while (!Thread.currentThread().isInterrupted()) {
            boolean known = store.read(view -> view.servers().stream().anyMatch(server ->
                    server.id().equals(config.id()) && server.httpAddress().equals(httpAddress)
                            && server.raftAddress().equals(raftAddress)));
            if (known) {
                return;
            }
            try {
                if (raft.leaderId().isEmpty()) {
                    // Proposing before an election only produces retries and noise.
                    Thread.sleep(200);
                    continue;
                }
                raft.propose(new RegisterServer(config.id(), raftAddress, httpAddress, clock.instant()));
                return;
            } catch (InterruptedException e) {
                return;
            } catch (HerdException e) {
                LOG.info("waiting for a Raft leader to register this server: {}", e.getMessage());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    public String httpAddress() {
        return httpAddress;
    }

    public boolean isLeader() {
        return raft.isReadyLeader();
    }

    @Override
    public void close() {
        LOG.info("stopping Herd server {}", config.id());
        registration.interrupt();
        leader.close();
        http.close();
        raft.close();
    }
}

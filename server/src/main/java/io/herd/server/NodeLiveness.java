package io.herd.server;

import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.state.SetNodeStatus;
import io.herd.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Leader-only: tracks agent heartbeats in memory (they never go through Raft) and commits only the changes of
 * liveness: a node silent for the node timeout goes down, which marks its instances lost and makes the
 * scheduler place them elsewhere. A new leader gives every node a full timeout of grace, since it has never
 * heard from them.
 */
final class NodeLiveness implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeLiveness.class);

    private final StateStore store;
    private final RaftNode raft;
    private final InstantSource clock;
    private final Duration timeout;
    private final Map<String, Instant> lastHeartbeat = new ConcurrentHashMap<>();
    private final Instant startedAt;
    private final Thread checker;
    private volatile boolean running = true;

    NodeLiveness(StateStore store, RaftNode raft, InstantSource clock, Duration timeout) {
        this.store = store;
        this.raft = raft;
        this.clock = clock;
        this.timeout = timeout;
        this.startedAt = clock.instant();
        this.checker = Thread.ofPlatform().name("node-liveness").daemon().unstarted(this::checkLoop);
    }

    void start() {
        checker.start();
    }

    /** Records a heartbeat; returns the node's status, bringing a down node back to ready. */
    NodeStatus heartbeat(Node node) {
        lastHeartbeat.put(node.id(), clock.instant());
        if (node.status() == NodeStatus.DOWN) {
            LOG.info("node {} ({}) is heartbeating again: ready", node.name(), node.id());
            raft.propose(new SetNodeStatus(node.id(), NodeStatus.READY, UUID.randomUUID().toString(), clock.instant()));
            return NodeStatus.READY;
        }
        return node.status();
    }

    void registered(String nodeId) {
        lastHeartbeat.put(nodeId, clock.instant());
    }

    private void checkLoop() {
        long pause = Math.max(100, Math.min(1000, timeout.toMillis() / 10));
        while (running) {
            try {
                Thread.sleep(pause);
                checkOnce();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("node liveness check failed; retrying: {}", e.toString());
            }
        }
    }

    private void checkOnce() {
        Instant now = clock.instant();
        List<Node> live = store.read(view -> view.nodes().stream().filter(node -> node.status() != NodeStatus.DOWN).toList());
        for (Node node : live) {
            Instant last = lastHeartbeat.getOrDefault(node.id(), startedAt);
            if (Duration.between(last, now).compareTo(timeout) > 0 && running) {
                LOG.warn("node {} ({}) missed heartbeats for {}: marking it down", node.name(), node.id(),
                        Duration.between(last, now).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
                raft.propose(new SetNodeStatus(node.id(), NodeStatus.DOWN, UUID.randomUUID().toString(), now));
            }
        }
    }

    @Override
    public void close() {
        running = false;
        checker.interrupt();
    }
}

package io.herd.agent;

import io.herd.agent.problems.NodeProblemDetection;
import io.herd.api.Node;
import io.herd.api.NodeCondition;
import io.herd.api.wire.HeartbeatRequest;
import io.herd.api.wire.HeartbeatResponse;
import io.herd.api.wire.RegisterNodeResponse;
import io.herd.client.HerdClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;

/**
 * Registers the node and keeps it alive: a heartbeat every interval the server asked for; when a heartbeat says
 * the server does not know the node (it lost its state, or marked the node down and forgot it), the node registers
 * again and the agent re-reports everything it runs. Failures are logged and retried, never fatal.
 */
public final class NodeRegistration implements AutoCloseable {
    static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(2);
    private static final Duration MAX_REGISTER_BACKOFF = Duration.ofSeconds(5);
    private static final Logger log = LoggerFactory.getLogger(NodeRegistration.class);

    private final HerdClient client;
    private final Node node;
    private final InstantSource clock;
    private final Runnable onRegistered;
    /** Null for an agent without problem detection. */
    private final NodeProblemDetection problems;
    private volatile Duration heartbeatInterval = DEFAULT_HEARTBEAT;
    private volatile boolean closed;
    private Thread thread;
    private volatile boolean failing;

    /** @param onRegistered run after every successful registration after the first (re-report everything) */
    public NodeRegistration(HerdClient client, Node node, InstantSource clock, Runnable onRegistered) {
        this(client, node, clock, onRegistered, null);
    }

    /** @param problems whose changed conditions ride on the heartbeats; null for none */
    public NodeRegistration(HerdClient client, Node node, InstantSource clock, Runnable onRegistered,
            NodeProblemDetection problems) {
        this.client = client;
        this.node = node;
        this.clock = clock;
        this.onRegistered = onRegistered;
        this.problems = problems;
    }

    /** Registers, retrying until a server answers; logs each failed attempt. */
    public void registerUntilDone() throws InterruptedException {
        Duration backoff = Duration.ofMillis(250);
        int attempt = 0;
        while (!closed) {
            attempt++;
            try {
                register();
                log.info("node {} ({}) registered with {}; heartbeat every {} ms", node.name(), node.id(),
                        client.currentAddress().orElse("?"), heartbeatInterval.toMillis());
                return;
            } catch (RuntimeException e) {
                log.warn("registering node {} with {} failed (attempt {}): {}; retrying in {} ms", node.name(),
                        client.addresses(), attempt, e.getMessage(), backoff.toMillis());
                Thread.sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_REGISTER_BACKOFF) > 0
                        ? MAX_REGISTER_BACKOFF : backoff.multipliedBy(2);
            }
        }
        throw new InterruptedException("closed before the node registered");
    }

    private void register() {
        Node current = new Node(node.id(), node.name(), node.address(), node.capacity(), node.labels(), node.drivers(),
                node.ports(), node.status(), clock.instant(), clock.instant(), node.gpus());
        RegisterNodeResponse response = client.registerNode(current);
        if (response.heartbeatInterval() != null && response.heartbeatInterval().isPositive()) {
            heartbeatInterval = response.heartbeatInterval();
        }
    }

    public synchronized void startHeartbeats() {
        if (thread == null) {
            thread = Thread.ofVirtual().name("herd-heartbeat").start(this::heartbeatLoop);
        }
    }

    /** Whether the last heartbeat failed (a failure is logged once, and its recovery once). */
    public boolean heartbeatsFailing() {
        return failing;
    }

    private void heartbeatLoop() {
        while (!closed) {
            try {
                Thread.sleep(heartbeatInterval);
            } catch (InterruptedException e) {
                return;
            }
            try {
                // Conditions ride along only when they changed since the server last took them.
                Optional<List<NodeCondition>> conditions = problems == null ? Optional.empty() : problems.unsent();
                HeartbeatResponse response = client.heartbeat(node.id(), new HeartbeatRequest(conditions.orElse(null)));
                // Not problems::acknowledged: that method reference would throw on a registration without
                // problem detection (problems null) even when there is nothing to acknowledge.
                if (response.known() && conditions.isPresent()) {
                    problems.acknowledged(conditions.get());
                }
                if (failing) {
                    log.info("heartbeats of node {} go through again", node.name());
                    failing = false;
                }
                if (!response.known()) {
                    log.warn("the server does not know node {} ({}); registering again", node.name(), node.id());
                    register();
                    if (problems != null) {
                        problems.resend();
                    }
                    onRegistered.run();
                }
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                if (!failing) {
                    log.warn("heartbeat of node {} failed: {}; will keep trying", node.name(), e.getMessage());
                    failing = true;
                } else {
                    log.debug("heartbeat of node {} failed again: {}", node.name(), e.getMessage());
                }
            }
        }
    }

    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (thread != null) {
            thread.interrupt();
        }
    }
}

package io.herd.server;

import io.herd.api.Instance;
import io.herd.api.Node;
import io.herd.state.Command;
import io.herd.state.CompleteNodeDrain;
import io.herd.state.NodeDrainDeadline;
import io.herd.state.StateStore;
import io.herd.state.StateView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Leader-only: watches the drains in progress. The moving itself is the reconciler's (see the scheduler's
 * {@code DrainMigration}), driven by evaluations the drain's commands create; this service only ends a drain,
 * when nothing is left on the node, and enforces its deadline, when it stops whatever is left. Both are
 * replicated commands decided from the state, so a new leader picks up a drain where the old one was.
 */
final class NodeDrainer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeDrainer.class);

    private final StateStore store;
    private final RaftNode raft;
    private final InstantSource clock;
    private final Duration interval;
    private final Thread thread;
    private volatile boolean running = true;

    NodeDrainer(StateStore store, RaftNode raft, InstantSource clock, Duration interval) {
        this.store = store;
        this.raft = raft;
        this.clock = clock;
        this.interval = interval;
        this.thread = Thread.ofPlatform().name("node-drainer").daemon().unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    private void loop() {
        while (running) {
            try {
                Thread.sleep(interval.toMillis());
                Instant now = clock.instant();
                for (Command command : store.read(view -> due(view, now))) {
                    if (!running) {
                        return;
                    }
                    LOG.info("drain: {}", raft.propose(command).message());
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("drain check failed; retrying: {}", e.toString());
            }
        }
    }

    /**
     * What the drains need now, a pure function of the state and the time: a node whose instances have all ended
     * is drained; one past its deadline with something still to run has it stopped.
     */
    static List<Command> due(StateView view, Instant now) {
        List<Command> commands = new ArrayList<>();
        for (Node node : view.nodes()) {
            if (!node.isDraining()) {
                continue;
            }
            List<Instance> onNode = view.instancesOnNode(node.id());
            boolean empty = onNode.stream().allMatch(instance -> instance.state().isTerminal());
            if (empty) {
                commands.add(new CompleteNodeDrain(node.id(), UUID.randomUUID().toString(), now));
            } else if (!node.drain().deadlineReached() && !now.isBefore(node.drain().deadline())
                    && onNode.stream().anyMatch(Instance::isLive)) {
                commands.add(new NodeDrainDeadline(node.id(), UUID.randomUUID().toString(), now));
            }
        }
        return commands;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}

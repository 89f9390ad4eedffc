package io.herd.bench;

import io.herd.agent.AssignmentWatcher;
import io.herd.agent.NodeRegistration;
import io.herd.agent.StatusReporter;
import io.herd.api.DesiredStatus;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.api.PortRange;
import io.herd.api.Resources;
import io.herd.api.TaskState;
import io.herd.api.TaskStatus;
import io.herd.client.HerdClient;

import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An agent without processes: it registers, heartbeats, watches its assignments with blocking queries and reports
 * its instances with the real agent's own classes ({@link NodeRegistration}, {@link AssignmentWatcher},
 * {@link StatusReporter}) over the real HTTP API, but "starts" an instance by reporting it running at once and
 * "stops" one by reporting it complete. Thousands of them share a few {@link HerdClient}s in one JVM; every loop
 * runs on a virtual thread.
 */
final class HollowAgent implements AutoCloseable {
    private final Node node;
    private final NodeRegistration registration;
    private final AssignmentWatcher watcher;
    private final StatusReporter reporter;
    private final InstantSource clock;
    /** Instances this agent reported in their latest state, so that a repeated answer is not reported again. */
    private final Map<String, InstanceState> reported = new ConcurrentHashMap<>();

    HollowAgent(String name, Resources capacity, HerdClient client, InstantSource clock) {
        this.clock = clock;
        this.node = new Node(name, name, "127.0.0.1:1", capacity, Map.of("hollow", "true"), Set.of("exec"),
                PortRange.DEFAULT, NodeStatus.READY, null, null);
        this.reporter = new StatusReporter(updates -> client.reportInstances(node.id(), updates));
        this.watcher = new AssignmentWatcher(client, node.id(), this::reconcile);
        this.registration = new NodeRegistration(client, node, clock, this::registeredAgain);
    }

    /** Registers (retrying until a server answers); heartbeats and watching start afterwards with {@link #run}. */
    void register() throws InterruptedException {
        registration.registerUntilDone();
    }

    void run() {
        reporter.start();
        registration.startHeartbeats();
        watcher.start();
    }

    String nodeId() {
        return node.id();
    }

    private boolean reconcile(List<Instance> assigned) {
        Instant now = clock.instant();
        for (Instance instance : assigned) {
            if (instance.state().isTerminal()) {
                continue;
            }
            InstanceState target = instance.desired() == DesiredStatus.RUN ? InstanceState.RUNNING
                    : InstanceState.COMPLETE;
            if (instance.state() == target || reported.get(instance.id()) == target) {
                continue;
            }
            reported.put(instance.id(), target);
            reporter.submit(update(instance, target, now));
        }
        return false;
    }

    private static InstanceStatusUpdate update(Instance instance, InstanceState state, Instant now) {
        Map<String, TaskState> tasks = new LinkedHashMap<>();
        for (String task : instance.tasks().keySet()) {
            tasks.put(task, state == InstanceState.RUNNING
                    ? new TaskState(TaskStatus.RUNNING, null, null, null, null, 0, now, null)
                    : new TaskState(TaskStatus.DEAD, null, 0, "Completed", null, 0, now, now));
        }
        return new InstanceStatusUpdate(instance.id(), state, null, tasks);
    }

    /** The servers forgot the node: take their next answer as the truth and report everything again. */
    private void registeredAgain() {
        reported.clear();
        watcher.resetIndex();
    }

    @Override
    public void close() {
        watcher.close();
        registration.close();
        reporter.close();
    }
}

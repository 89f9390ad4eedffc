package io.herd.scheduler;

import io.herd.api.Instance;
import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.api.Resources;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The last line against over-commitment: the plan applier calls it with the newest state of a node before it
 * commits placements that the scheduler chose on an older snapshot. It checks what can change between the two
 * (node status, resources, ports), not constraints, which the scheduler already applied.
 */
public final class NodeFit {
    private NodeFit() {}

    /**
     * Empty when all of {@code proposed} fits on {@code node} next to {@code existing}, else the first reason it
     * does not. Of {@code existing} only instances that {@link Instance#holdsResources() hold resources} count;
     * one with the id of a proposed instance is taken to be that instance and counted once.
     */
    public static Optional<String> check(Node node, Collection<Instance> existing, Collection<Instance> proposed) {
        if (node.status() != NodeStatus.READY) {
            return Optional.of(node.status() == NodeStatus.DOWN ? "node is down" : "node is draining");
        }
        Set<String> proposedIds = new HashSet<>();
        for (Instance instance : proposed) {
            if (!instance.nodeId().equals(node.id())) {
                return Optional.of("instance " + instance.id() + " is placed on node " + instance.nodeId()
                        + ", not " + node.id());
            }
            proposedIds.add(instance.id());
        }
        List<Instance> others = new ArrayList<>(existing.size());
        for (Instance instance : existing) {
            if (!proposedIds.contains(instance.id())) {
                others.add(instance);
            }
        }
        NodeUsage usage = NodeUsage.of(node, others);
        for (Instance instance : proposed) {
            if (instance.ports().isEmpty()) {
                usage.add(instance);
                continue;
            }
            if (new HashSet<>(instance.ports().values()).size() < instance.ports().size()) {
                return Optional.of("instance " + instance.id() + " gives one port to two names");
            }
            for (int port : instance.ports().values()) {
                if (!node.ports().contains(port)) {
                    return Optional.of("port " + port + " is outside the node's range " + node.ports());
                }
                if (usage.isPortTaken(port)) {
                    return Optional.of("port " + port + " already in use");
                }
            }
            usage.add(instance);
        }
        // Added all at once and then checked: the order of the proposals must not change the answer.
        return usage.insufficientResource(Resources.ZERO);
    }
}

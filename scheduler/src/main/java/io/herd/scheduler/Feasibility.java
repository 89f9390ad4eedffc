package io.herd.scheduler;

import io.herd.api.Constraint;
import io.herd.api.GpuDevice;
import io.herd.api.Group;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.api.Resources;

import java.util.Optional;
import java.util.Set;

/**
 * The filters a node must pass to take an instance of a group, cheapest first. Each returns the reason a node
 * is rejected, so that a pending instance always says why ("3 nodes: insufficient memory"); a node counts only
 * its first failing filter.
 *
 * <p>The static filters (status, drivers, constraints) depend only on the node and the group and run once per
 * group; the dynamic ones ({@link PerNodeLimit}, resources, ports) depend on what the plan placed so far and run
 * per placement.
 */
final class Feasibility {
    static final String NODE_DOWN = "node down";
    static final String NODE_DRAINING = "node draining";
    static final String INSUFFICIENT_CPU = "insufficient cpu";
    static final String INSUFFICIENT_MEMORY = "insufficient memory";
    static final String INSUFFICIENT_DISK = "insufficient disk";
    static final String INSUFFICIENT_GPU = "insufficient gpu";
    static final String NO_GPUS = "no gpus";
    static final String NO_FREE_PORTS = "no free ports";

    private Feasibility() {}

    /** Why the node can never take an instance of the group in this plan, or empty. */
    static Optional<String> staticRejection(Node node, Job job, Group group) {
        return staticRejection(node, job, group, group.drivers());
    }

    /** The same, with the group's drivers computed once by a caller that checks many nodes. */
    static Optional<String> staticRejection(Node node, Job job, Group group, Set<String> drivers) {
        return staticRejection(node, drivers, ConstraintFilter.of(job, group));
    }

    /** The same, with the job's and group's constraints compiled once by a caller that checks many nodes. */
    static Optional<String> staticRejection(Node node, Set<String> drivers, ConstraintFilter constraints) {
        return staticRejection(node, drivers.toArray(String[]::new), constraints);
    }

    /**
     * The same, with the drivers as an array: the placer checks every node for every group, and walking a small
     * array costs no iterator.
     */
    static Optional<String> staticRejection(Node node, String[] drivers, ConstraintFilter constraints) {
        if (node.status() != NodeStatus.READY) {
            return Optional.of(node.status() == NodeStatus.DOWN ? NODE_DOWN : NODE_DRAINING);
        }
        // Ineligible (an operator's choice or a drain) or a severe condition the agent reported, such as disk
        // pressure: the reason says which, so that a pending instance tells the user.
        Optional<String> blocker = node.placementBlocker();
        if (blocker.isPresent()) {
            return blocker;
        }
        Set<String> supported = node.drivers();
        for (String driver : drivers) {
            if (!supported.contains(driver)) {
                return Optional.of("missing driver " + driver);
            }
        }
        return constraints.isEmpty() ? Optional.empty() : constraints.rejection(node);
    }

    /**
     * Why the node can never take the GPU request, whatever runs on it: it has no GPU, none of the model, or
     * fewer devices of the model than whole GPUs asked for. Empty for a request without GPUs.
     */
    static Optional<String> gpuRejection(Node node, Resources request) {
        if (request.gpuMillis() <= 0) {
            return Optional.empty();
        }
        if (node.gpus().isEmpty()) {
            return Optional.of(NO_GPUS);
        }
        // A loop, not a stream: this runs for every node on every GPU request.
        int matching = 0;
        for (GpuDevice device : node.gpus()) {
            if (NodeUsage.modelMatches(device, request)) {
                matching++;
            }
        }
        if (matching == 0) {
            return Optional.of("no gpu of model " + request.gpuModel());
        }
        if (matching < request.wholeGpus()) {
            return Optional.of(request.gpuModel() == null ? "fewer than " + request.wholeGpus() + " gpus"
                    : "fewer than " + request.wholeGpus() + " gpus of model " + request.gpuModel());
        }
        return Optional.empty();
    }

    /** Why the node cannot take one more instance asking for {@code request} and {@code portCount} ports, or empty. */
    static Optional<String> dynamicRejection(NodeUsage usage, Resources request, int portCount) {
        String resource = usage.fit(request).rejection();
        if (resource != null) {
            return Optional.of(resource);
        }
        if (usage.freePorts() < portCount) {
            return Optional.of(NO_FREE_PORTS);
        }
        return Optional.empty();
    }

    static String constraintNotMet(Constraint constraint) {
        return "constraint " + constraint + " not met";
    }
}

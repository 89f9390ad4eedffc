package io.herd.bench;

import io.herd.api.Instance;
import io.herd.api.Node;
import io.herd.api.Plan;
import io.herd.scheduler.NodeFit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The server's plan applier without Raft: the same check per node ({@link NodeFit} against the newest state), the
 * same partial commit (every node whose placements still fit), and the rest refused for another pass. Keep it in
 * step with {@code io.herd.server.PlanApplier}; the only difference is that the commit goes to a
 * {@link SimulatedCluster} instead of being proposed through Raft.
 */
final class SimulatedPlanApplier {
    private final SimulatedCluster cluster;

    SimulatedPlanApplier(SimulatedCluster cluster) {
        this.cluster = cluster;
    }

    /** How many placements of a plan were committed and how many were refused. */
    record Outcome(int placed, int refused) {}

    Outcome apply(Plan plan) {
        if (!plan.stops().isEmpty() || !plan.preemptions().isEmpty()) {
            throw new IllegalStateException("the simulator does not model stopping instances yet; plan for "
                    + plan.jobId() + " stops " + plan.stops().size() + " and preempts " + plan.preemptions().size());
        }
        Map<String, List<Instance>> placementsByNode = new LinkedHashMap<>();
        for (Instance placement : plan.placements()) {
            placementsByNode.computeIfAbsent(placement.nodeId(), key -> new ArrayList<>()).add(placement);
        }
        List<Instance> fitting = new ArrayList<>(plan.placements().size());
        for (Map.Entry<String, List<Instance>> entry : placementsByNode.entrySet()) {
            Optional<Node> node = cluster.node(entry.getKey());
            Optional<String> rejection = node.isEmpty() ? Optional.of("node is gone")
                    : NodeFit.check(node.get(), cluster.instancesOnNode(entry.getKey()), entry.getValue());
            if (rejection.isEmpty()) {
                fitting.addAll(entry.getValue());
            }
        }
        cluster.commit(fitting);
        return new Outcome(fitting.size(), plan.placements().size() - fitting.size());
    }
}

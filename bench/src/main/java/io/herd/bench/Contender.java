package io.herd.bench;

import io.herd.api.Instance;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.api.Resources;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One way of placing a whole workload on a cell, from scratch: Herd or a reference policy through the simulator,
 * or Fenzo. The packing benchmarks compare contenders on the same nodes and jobs.
 */
interface Contender {
    String name();

    Summary run(List<Node> nodes, List<Job> jobs, long seed);

    /**
     * @param usedByNode per node id, the resources its placed instances take
     * @param nodeByInstance per instance, named {@code app/job/group/index}, the id of its node
     * @param violations broken invariants (over-committed nodes, ports given twice); must be 0
     * @param digest the simulator's {@link Simulator.Result#digest() placement digest}, 0 for Fenzo
     */
    record Summary(int placed, int unplaced, long wallNanos, Map<String, Resources> usedByNode,
            Map<String, String> nodeByInstance, int violations, long digest) {
        double placementsPerSecond() {
            return wallNanos == 0 ? 0 : placed * 1e9 / wallNanos;
        }

        int nodesInUse() {
            return (int) usedByNode.values().stream().filter(used -> !used.isZero()).count();
        }
    }

    static Contender simulated(PlacementPolicy policy, int workers) {
        return new Contender() {
            @Override
            public String name() {
                return policy.name();
            }

            @Override
            public Summary run(List<Node> nodes, List<Job> jobs, long seed) {
                SimulatedCluster cluster = new SimulatedCluster(nodes);
                Simulator.Result result = new Simulator(cluster, policy, workers, seed).run(jobs);
                Map<String, Resources> used = new LinkedHashMap<>();
                Map<String, String> nodeByInstance = new HashMap<>();
                for (int position = 0; position < cluster.size(); position++) {
                    Node node = cluster.node(position);
                    used.put(node.id(), new Resources(cluster.cpuUsed[position], cluster.memoryUsed[position],
                            cluster.diskUsed[position]));
                    for (Instance instance : cluster.instancesOnNode(position)) {
                        nodeByInstance.put(instance.jobId() + "/" + instance.group() + "/" + instance.index(), node.id());
                    }
                }
                return new Summary(result.placed(), result.unplaced(), result.wallNanos(), used, nodeByInstance,
                        ClusterInvariants.violations(cluster).size(), result.digest());
            }
        };
    }

    static Contender fenzo(double goodEnoughFitness) {
        return new Contender() {
            @Override
            public String name() {
                return "fenzo";
            }

            @Override
            public Summary run(List<Node> nodes, List<Job> jobs, long seed) {
                FenzoPeer.Result result = new FenzoPeer(goodEnoughFitness).run(nodes, jobs, Duration.ofDays(1).toNanos());
                return new Summary(result.placed(), result.unplaced(), result.wallNanos(), result.usedByNode(),
                        result.nodeByTask(), result.overcommittedNodes(), 0);
            }
        };
    }
}

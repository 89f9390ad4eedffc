package io.herd.bench;

import io.herd.api.Instance;
import io.herd.api.Node;
import io.herd.api.Resources;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What must hold after any run, whatever the policy: no node holds more than its capacity of any resource, no
 * host port is given twice or outside the node's range, and the simulator's per-node sums agree with its
 * instances. Checked from the instances themselves, not from the simulator's bookkeeping.
 */
final class ClusterInvariants {
    private ClusterInvariants() {}

    /** One line per broken invariant; empty when all hold. */
    static List<String> violations(SimulatedCluster cluster) {
        List<String> violations = new ArrayList<>();
        for (int position = 0; position < cluster.size(); position++) {
            Node node = cluster.node(position);
            Resources used = Resources.ZERO;
            Set<Integer> ports = new HashSet<>();
            for (Instance instance : cluster.instancesOnNode(position)) {
                if (!instance.nodeId().equals(node.id())) {
                    violations.add("instance " + instance.id() + " of node " + instance.nodeId() + " listed on " + node.id());
                }
                if (!instance.holdsResources()) {
                    continue;
                }
                used = used.plus(instance.resources());
                for (int port : instance.ports().values()) {
                    if (!ports.add(port)) {
                        violations.add("node " + node.id() + ": port " + port + " given twice");
                    }
                    if (!node.ports().contains(port)) {
                        violations.add("node " + node.id() + ": port " + port + " outside " + node.ports());
                    }
                }
            }
            GpuLedger devices = GpuLedger.of(node, cluster.instancesOnNode(position));
            if (devices.overCommitted()) {
                violations.add("node " + node.id() + ": a GPU device holds more than 1000 milli-GPUs");
            }
            if (!used.fitsIn(node.capacity())) {
                violations.add("node " + node.id() + " over-committed: " + used + " of " + node.capacity());
            }
            if (used.cpuMillis() != cluster.cpuUsed[position] || used.memoryBytes() != cluster.memoryUsed[position]
                    || used.diskBytes() != cluster.diskUsed[position] || ports.size() != cluster.portsUsed[position]) {
                violations.add("node " + node.id() + ": bookkeeping " + cluster.cpuUsed[position] + "m/"
                        + cluster.memoryUsed[position] + "B disagrees with its instances " + used);
            }
        }
        return violations;
    }

    /** Fails with every violation when any invariant is broken. */
    static void check(SimulatedCluster cluster, String after) {
        List<String> violations = violations(cluster);
        if (!violations.isEmpty()) {
            throw new IllegalStateException(violations.size() + " invariant(s) broken after " + after + ": "
                    + String.join("; ", violations.subList(0, Math.min(10, violations.size()))));
        }
    }
}

package io.herd.scheduler;

import io.herd.api.Node;
import io.herd.api.Spread;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Spreads a group evenly over the values of a node attribute (racks, zones): a node whose value already holds
 * more instances of the group than the least used value is penalised, in proportion to how far it is from the
 * least used one. A node without the attribute gets the full penalty: it belongs to no failure domain the user
 * asked to spread over. Tracks the counts as the plan places instances.
 */
final class SpreadScorer {
    private final String attribute;
    private final Map<String, Integer> countByValue = new HashMap<>();
    /** Only the values of nodes that can take the group: a full rack elsewhere must not skew the scale. */
    private final Set<String> candidateValues = new HashSet<>();
    private int least;
    private int most;

    /**
     * @param presenceByNode instances of the group per node id that stay after this plan
     * @param nodesById every node, to find the attribute value of the nodes the group is on
     */
    SpreadScorer(Spread spread, List<Node> candidates, Map<String, Integer> presenceByNode,
            Map<String, Node> nodesById) {
        this.attribute = spread.attr();
        presenceByNode.forEach((nodeId, count) -> {
            Node node = nodesById.get(nodeId);
            if (node != null) {
                node.attribute(attribute).ifPresent(value -> countByValue.merge(value, count, Integer::sum));
            }
        });
        for (Node candidate : candidates) {
            candidate.attribute(attribute).ifPresent(candidateValues::add);
        }
        updateBounds();
    }

    /**
     * Between 0 (a least used value) and 1 (the most used value, or no value at all).
     *
     * @param value the node's value of the attribute, null when it has none
     */
    double penalty(String value) {
        if (value == null) {
            return 1.0;
        }
        if (most == least) {
            return 0.0;
        }
        return (double) (countByValue.getOrDefault(value, 0) - least) / (most - least);
    }

    /** Counts one more instance on a node with {@code value} (null: the node has no value, nothing to count). */
    void placed(String value) {
        if (value != null) {
            countByValue.merge(value, 1, Integer::sum);
            updateBounds();
        }
    }

    private void updateBounds() {
        least = Integer.MAX_VALUE;
        most = 0;
        for (String value : candidateValues) {
            int count = countByValue.getOrDefault(value, 0);
            least = Math.min(least, count);
            most = Math.max(most, count);
        }
        if (candidateValues.isEmpty()) {
            least = 0;
        }
    }
}

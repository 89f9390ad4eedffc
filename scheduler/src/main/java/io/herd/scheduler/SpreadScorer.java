package io.herd.scheduler;

import io.herd.api.Node;
import io.herd.api.Spread;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Spreads a group over the values of a node attribute (racks, zones). Tracks the group's instances per value as
 * the plan places them, and penalises a node between 0 and 1 by its value:
 *
 * <ul>
 *   <li>Even spread (no targets): in proportion to how far the value's count is above the least used value's.
 *   <li>Targets ({@code a: 70%, b: 30%}): value {@code v} should hold {@code percent} of the group's count; the
 *       values not listed share the rest evenly. A value is penalised by how full it would be after one more
 *       instance, relative to its target ({@code (count + 1) / target}), scaled between the least and the most full
 *       value; so placements go to the value furthest below its share, and 10 instances at 70/30 land 7 and 3. A
 *       value whose share is 0 gets the full penalty.
 * </ul>
 *
 * <p>A node without the attribute gets the full penalty: it belongs to no failure domain the user asked to spread
 * over. Only the values of nodes that can take the group count for the scale: a full rack elsewhere must not skew
 * it. A penalty depends only on the node's value and the counts, so nodes with the same value are alike to it (the
 * value is part of the {@link NodeClasses.Key}).
 */
final class SpreadScorer {
    private final String attribute;
    private final Map<String, Integer> countByValue = new HashMap<>();
    /** Only the values of nodes that can take the group: a full rack elsewhere must not skew the scale. */
    private final Set<String> candidateValues = new HashSet<>();
    /** With targets: instances wanted per candidate value; empty for an even spread. */
    private final Map<String, Double> desiredByValue = new HashMap<>();
    private int least;
    private int most;
    private double leastFull;
    private double mostFull;

    /**
     * @param groupCount the instances the group wants, to turn target percentages into counts
     * @param presenceByNode instances of the group per node id that stay after this plan
     * @param nodesById every node, to find the attribute value of the nodes the group is on
     */
    SpreadScorer(Spread spread, int groupCount, List<Node> candidates, Map<String, Integer> presenceByNode,
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
        if (!spread.targets().isEmpty()) {
            int listedPercent = 0;
            Map<String, Integer> percentByValue = new HashMap<>();
            for (Spread.Target target : spread.targets()) {
                percentByValue.put(target.value(), target.percent());
                listedPercent += target.percent();
            }
            long unlisted = candidateValues.stream().filter(value -> !percentByValue.containsKey(value)).count();
            double restShare = unlisted == 0 ? 0 : (100 - listedPercent) / 100.0 / unlisted;
            for (String value : candidateValues) {
                Integer percent = percentByValue.get(value);
                desiredByValue.put(value, percent == null ? restShare * groupCount : percent / 100.0 * groupCount);
            }
        }
        updateBounds();
    }

    /**
     * Between 0 (a value furthest below its share) and 1 (the value furthest above it, or no value at all).
     *
     * @param value the node's value of the attribute, null when it has none
     */
    double penalty(String value) {
        if (value == null) {
            return 1.0;
        }
        if (!desiredByValue.isEmpty()) {
            double full = fullnessAfterOneMore(value);
            if (Double.isInfinite(full)) {
                return 1.0;
            }
            return mostFull == leastFull ? 0.0 : (full - leastFull) / (mostFull - leastFull);
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

    /** With targets: the value's count after one more instance over its desired count; infinite for a share of 0. */
    private double fullnessAfterOneMore(String value) {
        double desired = desiredByValue.getOrDefault(value, 0.0);
        return desired <= 0 ? Double.POSITIVE_INFINITY : (countByValue.getOrDefault(value, 0) + 1) / desired;
    }

    private void updateBounds() {
        if (!desiredByValue.isEmpty()) {
            leastFull = Double.POSITIVE_INFINITY;
            mostFull = 0;
            for (String value : candidateValues) {
                double full = fullnessAfterOneMore(value);
                if (!Double.isInfinite(full)) {
                    leastFull = Math.min(leastFull, full);
                    mostFull = Math.max(mostFull, full);
                }
            }
            if (Double.isInfinite(leastFull)) {
                leastFull = 0;
            }
            return;
        }
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

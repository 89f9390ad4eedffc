package io.herd.api;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Why instances of a group could not be placed: {@code unplaced} instances, {@code nodesEvaluated} nodes
 * looked at, and per reason (e.g. {@code insufficient memory}, {@code missing label zone=b}) how many nodes
 * were rejected for it. {@code preemptibleNodes} is on how many nodes evicting instances of lower priority bands
 * would make room for one more instance (after this plan's own preemptions); null when not computed (a plan from
 * before preemption existed).
 */
public record PlacementFailure(String group, int unplaced, int nodesEvaluated, Map<String, Integer> reasons,
        Integer preemptibleNodes) {
    public PlacementFailure(String group, int unplaced, int nodesEvaluated, Map<String, Integer> reasons) {
        this(group, unplaced, nodesEvaluated, reasons, null);
    }

    public PlacementFailure {
        reasons = reasons == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(reasons));
    }

    /** "3 nodes: insufficient memory; 1 node: missing label zone=b", most frequent reason first. */
    public String summary() {
        if (nodesEvaluated == 0) {
            return "no ready nodes";
        }
        return reasons.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .map(entry -> entry.getValue() + (entry.getValue() == 1 ? " node: " : " nodes: ") + entry.getKey())
                .collect(Collectors.joining("; "));
    }

    /**
     * Whether preemption could help, in words: {@code preemption could free room on 3 nodes by evicting
     * lower-priority instances} or {@code preemption cannot help: no lower-priority instances to preempt ...}; empty
     * when unknown. The scheduler preempts whenever it can, so a failure it reports has 0 preemptible nodes.
     */
    public java.util.Optional<String> preemptionSummary() {
        if (preemptibleNodes == null) {
            return java.util.Optional.empty();
        }
        if (preemptibleNodes == 0) {
            return java.util.Optional.of("preemption cannot help: no lower-priority instances to preempt whose eviction"
                    + " would make room");
        }
        return java.util.Optional.of("preemption could free room on " + preemptibleNodes
                + (preemptibleNodes == 1 ? " node" : " nodes") + " by evicting lower-priority instances");
    }
}

package io.herd.api;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Why instances of a group could not be placed: {@code unplaced} instances, {@code nodesEvaluated} nodes
 * looked at, and per reason (e.g. {@code insufficient memory}, {@code missing label zone=b}) how many nodes
 * were rejected for it.
 */
public record PlacementFailure(String group, int unplaced, int nodesEvaluated, Map<String, Integer> reasons) {
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
}

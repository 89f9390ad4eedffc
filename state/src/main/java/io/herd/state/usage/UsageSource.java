package io.herd.state.usage;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * What a usage series measures: a task of an instance ({@code kind} task, {@code id} instance id + "/" + task) or
 * a machine ({@code kind} node, {@code id} node id), with the labels queries select and group by ({@code app},
 * {@code job}, {@code group}, {@code instance}, {@code instance_name}, {@code task}, {@code node},
 * {@code node_name}). The labels are kept with the series because the instance they come from may be garbage
 * collected long before its history expires.
 */
public record UsageSource(String kind, String id, Map<String, String> labels) {
    public static final String TASK = "task";
    public static final String NODE = "node";

    public UsageSource {
        requireNonNull(kind, "kind is null");
        requireNonNull(id, "id is null");
        if (!kind.equals(TASK) && !kind.equals(NODE)) {
            throw new IllegalArgumentException("a usage series is of a task or a node, not " + kind);
        }
        // sorted, so that the JSON of a command or snapshot is the same on every replica
        labels = labels == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(labels));
    }

    /** The store's key: kind and id. */
    public String key() {
        return kind + ":" + id;
    }

    public String label(String name) {
        return labels.get(name);
    }
}

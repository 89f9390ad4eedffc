package io.herd.api;

import java.util.Map;

/**
 * What an agent reports about one of its instances. {@code healthy} is the verdict of the instance's health
 * checks: null when its group has none, false until every check passed.
 */
public record InstanceStatusUpdate(String instanceId, InstanceState state, String reason, Map<String, TaskState> tasks,
        Boolean healthy) {
    public InstanceStatusUpdate {
        tasks = tasks == null ? Map.of() : Map.copyOf(tasks);
    }

    public InstanceStatusUpdate(String instanceId, InstanceState state, String reason, Map<String, TaskState> tasks) {
        this(instanceId, state, reason, tasks, null);
    }
}

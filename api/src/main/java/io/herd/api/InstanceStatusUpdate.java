package io.herd.api;

import java.util.Map;

/** What an agent reports about one of its instances. */
public record InstanceStatusUpdate(String instanceId, InstanceState state, String reason, Map<String, TaskState> tasks) {
    public InstanceStatusUpdate {
        tasks = tasks == null ? Map.of() : Map.copyOf(tasks);
    }
}

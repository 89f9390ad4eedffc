package io.herd.api.wire;

import java.util.List;

/**
 * What an agent measured over its last interval, sent to {@code POST /v1/nodes/{id}/usage} every 10 s: the
 * machine's cpu and memory, and each running task's. CPU is the average over the interval in cores; memory the
 * value at the end of it.
 *
 * @param node  the machine; null when it could not be read
 * @param tasks one per running task whose cgroup could be read
 */
public record UsageReport(Sample node, List<TaskSample> tasks) {
    public UsageReport {
        tasks = tasks == null ? List.of() : List.copyOf(tasks);
    }

    /** @param memoryBytes memory in use: for the machine total minus available, for a task its working set */
    public record Sample(double cpuCores, long memoryBytes) {}

    public record TaskSample(String instanceId, String task, double cpuCores, long memoryBytes) {}
}

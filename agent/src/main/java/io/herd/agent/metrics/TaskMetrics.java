package io.herd.agent.metrics;

import io.herd.agent.AgentInstances;
import io.herd.agent.InstanceRunner;
import io.herd.api.Instance;
import io.herd.api.TaskState;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Per-task container metrics, in the spirit of cAdvisor: what each running task's cgroup says (cpu, throttling,
 * memory, OOM kills, I/O) and how often the task restarted, labelled {@code app}, {@code job}, {@code group},
 * {@code instance} (the instance id), {@code task} and {@code node}. Read at scrape time from the cgroups of the
 * tasks running now: no thread polls in the background, and a task that is not running has only its restarts.
 */
public final class TaskMetrics implements MultiCollector {
    private final AgentInstances instances;
    private final String nodeName;

    public TaskMetrics(AgentInstances instances, String nodeName) {
        this.instances = instances;
        this.nodeName = nodeName;
    }

    @Override
    public MetricSnapshots collect() {
        MetricFamilies families = new MetricFamilies()
                .counter("herd_task_cpu_usage_seconds", "CPU time used by a task's processes.")
                .counter("herd_task_cpu_periods", "CFS enforcement periods elapsed for a task with a cpu limit.")
                .counter("herd_task_cpu_throttled_periods", "CFS periods in which a task was throttled at its cpu limit.")
                .counter("herd_task_cpu_throttled_seconds", "Time a task was throttled at its cpu limit.")
                .gauge("herd_task_memory_usage_bytes", "Memory used by a task, page cache included.")
                .gauge("herd_task_memory_working_set_bytes", "Memory used by a task minus inactive page cache (what the OOM killer judges).")
                .gauge("herd_task_memory_limit_bytes", "The memory limit of a task.")
                .counter("herd_task_oom_kills", "Processes of a task killed by the kernel's OOM killer in its current run.")
                .counter("herd_task_io_read_bytes", "Bytes a task read from block devices.")
                .counter("herd_task_io_written_bytes", "Bytes a task wrote to block devices.")
                .counter("herd_task_restarts", "Restarts of a task by this node's agent.");
        for (InstanceRunner runner : instances.runners()) {
            Instance instance = runner.instance();
            Map<String, List<Path>> cgroups = runner.taskCgroups();
            for (Map.Entry<String, TaskState> task : runner.tasks().entrySet()) {
                String[] labels = {"app", instance.app(), "job", instance.job(), "group", instance.group(),
                        "instance", instance.id(), "task", task.getKey(),
                        "node", instance.nodeName() == null ? nodeName : instance.nodeName()};
                families.add("herd_task_restarts", task.getValue().restarts(), labels);
                List<Path> directories = cgroups.getOrDefault(task.getKey(), List.of());
                if (directories.isEmpty()) {
                    continue;
                }
                CgroupUsage usage = CgroupUsage.read(directories);
                add(families, "herd_task_cpu_usage_seconds", usage.cpuSeconds(), labels);
                add(families, "herd_task_cpu_periods", usage.cpuPeriods(), labels);
                add(families, "herd_task_cpu_throttled_periods", usage.throttledPeriods(), labels);
                add(families, "herd_task_cpu_throttled_seconds", usage.throttledSeconds(), labels);
                add(families, "herd_task_memory_usage_bytes", usage.memoryBytes(), labels);
                add(families, "herd_task_memory_working_set_bytes", usage.workingSetBytes(), labels);
                add(families, "herd_task_memory_limit_bytes", usage.memoryLimitBytes(), labels);
                add(families, "herd_task_oom_kills", usage.oomKills(), labels);
                add(families, "herd_task_io_read_bytes", usage.readBytes(), labels);
                add(families, "herd_task_io_written_bytes", usage.writtenBytes(), labels);
            }
        }
        return families.build();
    }

    private static void add(MetricFamilies families, String name, OptionalDouble value, String[] labels) {
        if (value.isPresent()) {
            families.add(name, value.getAsDouble(), labels);
        }
    }
}

package io.herd.agent.metrics;

import io.herd.agent.AgentInstances;
import io.herd.agent.InstanceRunner;
import io.herd.api.Instance;
import io.herd.api.TaskState;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.Collection;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Supplier;

/**
 * Per-task container metrics, in the spirit of cAdvisor: what each running task's cgroup says (cpu, throttling,
 * memory, OOM kills, I/O) and how often the task restarted, labelled {@code app}, {@code job}, {@code group},
 * {@code instance} (the instance id), {@code task} and {@code node}. Read at scrape time from the cgroups of the
 * tasks running now: no thread polls in the background, and a task that is not running has only its restarts.
 */
public final class TaskMetrics implements MultiCollector {
    private final Supplier<Collection<InstanceRunner>> runners;
    private final String nodeName;

    /**
     * @param runners  the instances of this node now ({@link AgentInstances#runners})
     * @param nodeName the {@code node} label of an instance that does not name its node
     */
    public TaskMetrics(Supplier<Collection<InstanceRunner>> runners, String nodeName) {
        this.runners = runners;
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
                .counter("herd_task_oom_kills", "OOM kills of a task: runs the kernel's OOM killer ended (counted by this "
                        + "agent process) plus processes it killed in the current run.")
                .counter("herd_task_io_read_bytes", "Bytes a task read from block devices.")
                .counter("herd_task_io_written_bytes", "Bytes a task wrote to block devices.")
                .counter("herd_task_restarts", "Restarts of a task by this node's agent.");
        for (InstanceRunner runner : runners.get()) {
            Instance instance = runner.instance();
            Map<String, InstanceRunner.TaskResources> resources = runner.taskResources();
            for (Map.Entry<String, TaskState> task : runner.tasks().entrySet()) {
                String[] labels = {"app", instance.app(), "job", instance.job(), "group", instance.group(),
                        "instance", instance.id(), "task", task.getKey(),
                        "node", instance.nodeName() == null ? nodeName : instance.nodeName()};
                families.add("herd_task_restarts", task.getValue().restarts(), labels);
                InstanceRunner.TaskResources taskResources = resources.get(task.getKey());
                int oomKilledRuns = taskResources == null ? 0 : taskResources.oomKilledRuns();
                if (taskResources == null || taskResources.cgroupDirectories().isEmpty()) {
                    if (oomKilledRuns > 0) {
                        families.add("herd_task_oom_kills", oomKilledRuns, labels);
                    }
                    continue;
                }
                CgroupUsage usage = CgroupUsage.read(taskResources.cgroupDirectories());
                add(families, "herd_task_cpu_usage_seconds", usage.cpuSeconds(), labels);
                add(families, "herd_task_cpu_periods", usage.cpuPeriods(), labels);
                add(families, "herd_task_cpu_throttled_periods", usage.throttledPeriods(), labels);
                add(families, "herd_task_cpu_throttled_seconds", usage.throttledSeconds(), labels);
                add(families, "herd_task_memory_usage_bytes", usage.memoryBytes(), labels);
                add(families, "herd_task_memory_working_set_bytes", usage.workingSetBytes(), labels);
                add(families, "herd_task_memory_limit_bytes", usage.memoryLimitBytes(), labels);
                // the run that the OOM killer ends takes its cgroup (and count) with it: the runner counts those runs
                add(families, "herd_task_oom_kills", usage.oomKills().isPresent()
                        ? java.util.OptionalDouble.of(oomKilledRuns + usage.oomKills().getAsDouble())
                        : java.util.OptionalDouble.empty(), labels);
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

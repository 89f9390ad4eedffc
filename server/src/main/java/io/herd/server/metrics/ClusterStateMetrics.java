package io.herd.server.metrics;

import io.herd.api.Group;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.Job;
import io.herd.api.ConditionStatus;
import io.herd.api.Node;
import io.herd.api.NodeCondition;
import io.herd.api.NodeEligibility;
import io.herd.api.NodeStatus;
import io.herd.api.Resources;
import io.herd.api.TaskState;
import io.herd.state.StateStore;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster as the replicated state describes it, in the spirit of kube-state-metrics: jobs, the desired and
 * running instances of each group, instances by state, task restarts and nodes. Computed from this replica's
 * state at scrape time, so every server serves it (the copies differ only by the scrape target's
 * {@code instance} label; aggregate with {@code max by (...)}).
 *
 * <p>Labels follow Herd's vocabulary: {@code app}, {@code job}, {@code group}, {@code task}, {@code node} (the
 * node's name). {@code job} is a Prometheus target label too: scrape with {@code honor_labels: true} (see README)
 * so it is kept as Herd's. No series here carries {@code instance}: with {@code honor_labels} it would replace
 * the target's {@code instance}, and the copies served by the servers of a cluster would collide. Per-instance
 * series come from the agents ({@code herd_task_*}), where each instance is served once.
 */
public final class ClusterStateMetrics implements MultiCollector {
    private final StateStore store;

    public ClusterStateMetrics(StateStore store) {
        this.store = store;
    }

    /** The parts of the state this collector reads, copied under the read lock and used after it. */
    private record Snapshot(long index, Collection<Job> jobs, Collection<Node> nodes, Collection<Instance> instances,
            int pendingEvaluations) {}

    @Override
    public MetricSnapshots collect() {
        Snapshot state = store.read(view -> new Snapshot(view.index(), view.jobs(), view.nodes(), view.instances(),
                view.pendingEvaluations().size()));
        MetricFamilies families = new MetricFamilies()
                .gauge("herd_state_index", "Raft log index of the last command applied to this replica's state.")
                .gauge("herd_scheduler_evaluations_pending", "Evaluations waiting for a scheduler worker (the evaluation queue).")
                .gauge("herd_nodes", "Nodes by status.")
                .gauge("herd_jobs", "Jobs by type and whether they are stopped.")
                .gauge("herd_job_info", "One series per job with its type and priority; always 1.")
                .gauge("herd_job_version", "The current version of a job.")
                .gauge("herd_job_stopped", "1 when the job's current version is stopped, else 0.")
                .gauge("herd_group_instances_desired", "Instances a group should run: its count, 0 when the job is stopped (and for a cron job, whose runs count).")
                .gauge("herd_group_instances_running", "Instances of a group in state running.")
                .gauge("herd_group_instances", "Instances of a group by state (terminal ones until garbage collected).")
                .gauge("herd_instances", "Instances by state (terminal ones until garbage collected).")
                .gauge("herd_group_task_restarts", "Restarts of a task summed over its group's instances that are not "
                        + "garbage collected yet (a gauge: it drops when old instances go).")
                .gauge("herd_node_status", "1 for the status a node is in, 0 for the others.")
                .gauge("herd_node_capacity_cpu_cores", "CPU a node offers to the scheduler.")
                .gauge("herd_node_capacity_memory_bytes", "Memory a node offers to the scheduler.")
                .gauge("herd_node_allocated_cpu_cores", "CPU held by the instances placed on a node.")
                .gauge("herd_node_allocated_memory_bytes", "Memory held by the instances placed on a node.")
                .gauge("herd_node_instances", "Instances holding resources on a node.")
                .gauge("herd_node_condition", "1 for the status a node's condition (DiskPressure, MemoryPressure, ...)"
                        + " is in (true, false, unknown), 0 for the others, like kube_node_status_condition.")
                .gauge("herd_node_eligible", "1 when new instances may be placed on the node, else 0.")
                .gauge("herd_nodes_by_condition", "Nodes whose condition is true, by condition type.");

        families.add("herd_state_index", state.index());
        families.add("herd_scheduler_evaluations_pending", state.pendingEvaluations());

        Map<NodeStatus, Integer> nodesByStatus = new EnumMap<>(NodeStatus.class);
        for (NodeStatus status : NodeStatus.values()) {
            nodesByStatus.put(status, 0);
        }
        Map<String, Resources> allocated = new HashMap<>();
        Map<String, Integer> placed = new HashMap<>();
        for (Instance instance : state.instances()) {
            if (instance.holdsResources()) {
                allocated.merge(instance.nodeId(), instance.resources(), Resources::plus);
                placed.merge(instance.nodeId(), 1, Integer::sum);
            }
        }
        Map<String, Integer> nodesByCondition = new java.util.TreeMap<>();
        for (Node node : state.nodes()) {
            nodesByStatus.merge(node.status(), 1, Integer::sum);
            for (NodeStatus status : NodeStatus.values()) {
                families.add("herd_node_status", node.status() == status ? 1 : 0, "node", node.name(),
                        "status", status.wireName());
            }
            families.add("herd_node_capacity_cpu_cores", node.capacity().cpuMillis() / 1000.0, "node", node.name());
            families.add("herd_node_capacity_memory_bytes", node.capacity().memoryBytes(), "node", node.name());
            Resources used = allocated.getOrDefault(node.id(), Resources.ZERO);
            families.add("herd_node_allocated_cpu_cores", used.cpuMillis() / 1000.0, "node", node.name());
            families.add("herd_node_allocated_memory_bytes", used.memoryBytes(), "node", node.name());
            families.add("herd_node_instances", placed.getOrDefault(node.id(), 0), "node", node.name());
            families.add("herd_node_eligible", node.eligibility() == NodeEligibility.ELIGIBLE ? 1 : 0,
                    "node", node.name());
            for (NodeCondition condition : node.conditions()) {
                for (ConditionStatus status : ConditionStatus.values()) {
                    families.add("herd_node_condition", condition.status() == status ? 1 : 0, "node", node.name(),
                            "condition", condition.type(), "status", status.wireName());
                }
                nodesByCondition.merge(condition.type(), condition.isTrue() ? 1 : 0, Integer::sum);
            }
        }
        nodesByCondition.forEach((condition, count) -> families.add("herd_nodes_by_condition", count,
                "condition", condition));
        nodesByStatus.forEach((status, count) -> families.add("herd_nodes", count, "status", status.wireName()));

        record JobKind(String type, boolean stopped) {}
        Map<JobKind, Integer> jobsByKind = new java.util.LinkedHashMap<>();
        Map<InstanceState, Integer> instancesByState = new EnumMap<>(InstanceState.class);
        for (InstanceState instanceState : InstanceState.values()) {
            instancesByState.put(instanceState, 0);
        }
        Map<String, Map<String, Map<String, Integer>>> restartsByGroup = new HashMap<>();
        Map<String, Map<String, Map<InstanceState, Integer>>> instancesByGroup = new HashMap<>();
        for (Instance instance : state.instances()) {
            instancesByGroup.computeIfAbsent(instance.jobId(), key -> new HashMap<>())
                    .computeIfAbsent(instance.group(), key -> new EnumMap<>(InstanceState.class))
                    .merge(instance.state(), 1, Integer::sum);
            instancesByState.merge(instance.state(), 1, Integer::sum);
            for (Map.Entry<String, TaskState> task : instance.tasks().entrySet()) {
                int restarts = task.getValue() == null ? 0 : task.getValue().restarts();
                restartsByGroup.computeIfAbsent(instance.jobId(), key -> new HashMap<>())
                        .computeIfAbsent(instance.group(), key -> new HashMap<>())
                        .merge(task.getKey(), restarts, Integer::sum);
            }
        }
        for (Job job : state.jobs()) {
            String type = job.type().name().toLowerCase(java.util.Locale.ROOT);
            jobsByKind.merge(new JobKind(type, job.stopped()), 1, Integer::sum);
            families.add("herd_job_info", 1, "app", job.app(), "job", job.name(), "type", type,
                    "priority", Integer.toString(job.priority()));
            families.add("herd_job_version", job.version(), "app", job.app(), "job", job.name());
            families.add("herd_job_stopped", job.stopped() ? 1 : 0, "app", job.app(), "job", job.name());
            Map<String, Map<InstanceState, Integer>> groups = instancesByGroup.getOrDefault(job.id(), Map.of());
            for (Group group : job.groups()) {
                String[] labels = {"app", job.app(), "job", job.name(), "group", group.name()};
                Map<InstanceState, Integer> counts = groups.getOrDefault(group.name(), Map.of());
                // A cron job runs nothing itself (its runs are batch jobs of their own): nothing is missing.
                families.add("herd_group_instances_desired",
                        job.stopped() || job.type() == io.herd.api.JobType.CRON ? 0 : group.count(), labels);
                families.add("herd_group_instances_running", counts.getOrDefault(InstanceState.RUNNING, 0), labels);
                for (InstanceState instanceState : InstanceState.values()) {
                    families.add("herd_group_instances", counts.getOrDefault(instanceState, 0), append(labels,
                            "state", instanceState.wireName()));
                }
                Map<String, Integer> restarts = restartsByGroup.getOrDefault(job.id(), Map.of())
                        .getOrDefault(group.name(), Map.of());
                for (io.herd.api.Task task : group.tasks()) {
                    families.add("herd_group_task_restarts", restarts.getOrDefault(task.name(), 0),
                            append(labels, "task", task.name()));
                }
            }
        }
        instancesByState.forEach((instanceState, count) -> families.add("herd_instances", count,
                "state", instanceState.wireName()));
        jobsByKind.forEach((kind, count) -> families.add("herd_jobs", count, "type", kind.type(),
                "stopped", Boolean.toString(kind.stopped())));
        return families.build();
    }

    private static String[] append(String[] labels, String... more) {
        List<String> all = new java.util.ArrayList<>(List.of(labels));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}

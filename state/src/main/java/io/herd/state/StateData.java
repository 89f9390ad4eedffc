package io.herd.state;

import io.herd.api.CronRun;
import io.herd.api.Deployment;
import io.herd.api.Evaluation;
import io.herd.api.Instance;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.state.usage.UsageData;
import io.herd.api.StickyVolume;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything in a {@link ClusterState} as plain sorted data: the body of a snapshot, and what tests compare to
 * tell two states apart. Lists are sorted by id ({@code jobHistory} by job id, then version), except
 * {@code evaluations}, which keeps creation order because that order is state too (the pending queue is served
 * oldest first).
 *
 * @param events the events derived so far (see {@link EventLog})
 * @param highestJobVersions the highest version ever given to each job id, kept after a purge so that a job
 *     registered again under the same id never reuses the version of an instance still around
 * @param deployments the kept deployments, by job id and then oldest first
 * @param usage the cpu and memory history of tasks and nodes (see {@link io.herd.state.usage.UsageHistory})
 * @param cronRuns the kept firings of cron jobs, by job id and then oldest first
 * @param volumes the sticky volumes of stateful groups, by {@link StickyVolume#key()}
 */
public record StateData(
        long index,
        List<ServerRecord> servers,
        List<Job> jobs,
        List<Job> jobHistory,
        Map<String, Long> highestJobVersions,
        List<Node> nodes,
        List<Instance> instances,
        List<Evaluation> evaluations,
        List<Deployment> deployments,
        EventData events,
        UsageData usage,
        List<CronRun> cronRuns,
        List<StickyVolume> volumes) {
    /** A state without sticky volumes (as written before they existed). */
    public StateData(long index, List<ServerRecord> servers, List<Job> jobs, List<Job> jobHistory,
            Map<String, Long> highestJobVersions, List<Node> nodes, List<Instance> instances,
            List<Evaluation> evaluations, List<Deployment> deployments, EventData events, UsageData usage,
            List<CronRun> cronRuns) {
        this(index, servers, jobs, jobHistory, highestJobVersions, nodes, instances, evaluations, deployments, events,
                usage, cronRuns, List.of());
    }

    /** A state without cron runs (as written before they existed). */
    public StateData(long index, List<ServerRecord> servers, List<Job> jobs, List<Job> jobHistory,
            Map<String, Long> highestJobVersions, List<Node> nodes, List<Instance> instances,
            List<Evaluation> evaluations, List<Deployment> deployments, EventData events, UsageData usage) {
        this(index, servers, jobs, jobHistory, highestJobVersions, nodes, instances, evaluations, deployments, events,
                usage, List.of(), List.of());
    }

    /** A state without deployments and events (as written before they existed). */
    public StateData(long index, List<ServerRecord> servers, List<Job> jobs, List<Job> jobHistory,
            Map<String, Long> highestJobVersions, List<Node> nodes, List<Instance> instances,
            List<Evaluation> evaluations) {
        this(index, servers, jobs, jobHistory, highestJobVersions, nodes, instances, evaluations, List.of(),
                EventData.empty());
    }

    /** A state without usage history (as written before it existed). */
    public StateData(long index, List<ServerRecord> servers, List<Job> jobs, List<Job> jobHistory,
            Map<String, Long> highestJobVersions, List<Node> nodes, List<Instance> instances,
            List<Evaluation> evaluations, List<Deployment> deployments, EventData events) {
        this(index, servers, jobs, jobHistory, highestJobVersions, nodes, instances, evaluations, deployments, events,
                UsageData.empty(), List.of(), List.of());
    }

    public StateData {
        deployments = deployments == null ? List.of() : List.copyOf(deployments);
        servers = servers == null ? List.of() : List.copyOf(servers);
        jobs = jobs == null ? List.of() : List.copyOf(jobs);
        jobHistory = jobHistory == null ? List.of() : List.copyOf(jobHistory);
        highestJobVersions = highestJobVersions == null
                ? Map.of()
                : Collections.unmodifiableMap(new TreeMap<>(highestJobVersions));
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
        instances = instances == null ? List.of() : List.copyOf(instances);
        evaluations = evaluations == null ? List.of() : List.copyOf(evaluations);
        events = events == null ? EventData.empty() : events;
        usage = usage == null ? UsageData.empty() : usage;
        cronRuns = cronRuns == null ? List.of() : List.copyOf(cronRuns);
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
    }

    public static StateData empty() {
        return new StateData(0, List.of(), List.of(), List.of(), Map.of(), List.of(), List.of(), List.of());
    }
}

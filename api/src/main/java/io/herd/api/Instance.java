package io.herd.api;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * One placed copy of a group on one node. {@code index} is stable: a replacement keeps the index of the
 * instance it replaces. {@code state} is what the agent reported (or {@code lost} when its node died);
 * {@code desired} is what the server wants. {@code gpuDevices} are the indices of the node's GPU devices the
 * instance was given (one for a share, {@code n} for {@code n} whole GPUs). {@code healthy} is the verdict of its
 * health checks (null when its group has none); {@code readySince} is since when it is ready (running and not
 * unhealthy), null while it is not: a rolling update moves on once new instances have been ready for the group's
 * {@code min_healthy_time}.
 */
public record Instance(
        String id,
        String app,
        String job,
        String group,
        int index,
        long jobVersion,
        String nodeId,
        String nodeName,
        Resources resources,
        Map<String, Integer> ports,
        InstanceState state,
        DesiredStatus desired,
        String reason,
        Map<String, TaskState> tasks,
        String previousInstanceId,
        Instant createTime,
        Instant modifyTime,
        List<Integer> gpuDevices,
        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.ALWAYS)
        Boolean healthy,
        Instant readySince) {
    public Instance(String id, String app, String job, String group, int index, long jobVersion, String nodeId,
            String nodeName, Resources resources, Map<String, Integer> ports, InstanceState state,
            DesiredStatus desired, String reason, Map<String, TaskState> tasks, String previousInstanceId,
            Instant createTime, Instant modifyTime) {
        this(id, app, job, group, index, jobVersion, nodeId, nodeName, resources, ports, state, desired, reason, tasks,
                previousInstanceId, createTime, modifyTime, List.of(), null, null);
    }

    public Instance {
        requireNonNull(id, "id is null");
        requireNonNull(app, "app is null");
        requireNonNull(job, "job is null");
        requireNonNull(group, "group is null");
        requireNonNull(nodeId, "nodeId is null");
        resources = resources == null ? Resources.ZERO : resources;
        ports = ports == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(ports));
        state = state == null ? InstanceState.PENDING : state;
        desired = desired == null ? DesiredStatus.RUN : desired;
        tasks = tasks == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(tasks));
        gpuDevices = gpuDevices == null ? List.of() : List.copyOf(gpuDevices);
    }

    @JsonIgnore
    public String jobId() {
        return Job.id(app, job);
    }

    /** A readable name such as {@code hello.web[2]}. */
    public String name() {
        return job + "." + group + "[" + index + "]";
    }

    /**
     * Whether the instance holds resources on its node: it does until it is terminal, even when the server
     * already asked it to stop (the process may still be running), except when it was evicted: a preemption hands
     * its resources to the preemptor in the same plan (the process still gets its kill timeout).
     */
    @JsonIgnore
    public boolean holdsResources() {
        return !state.isTerminal() && desired != DesiredStatus.EVICT;
    }

    /** The same instance on other GPU devices (indices on its node). */
    public Instance withGpuDevices(List<Integer> devices) {
        return new Instance(id, app, job, group, index, jobVersion, nodeId, nodeName, resources, ports, state,
                desired, reason, tasks, previousInstanceId, createTime, modifyTime, devices, healthy, readySince);
    }

    /** Whether the instance counts towards its group's desired count. */
    @JsonIgnore
    public boolean isLive() {
        return desired == DesiredStatus.RUN && !state.isTerminal();
    }

    public Instance withState(InstanceState newState, String newReason, Instant time) {
        return new Instance(id, app, job, group, index, jobVersion, nodeId, nodeName, resources, ports, newState,
                desired, newReason, tasks, previousInstanceId, createTime, time, gpuDevices, healthy, readySince);
    }

    public Instance withDesired(DesiredStatus newDesired, String newReason, Instant time) {
        return new Instance(id, app, job, group, index, jobVersion, nodeId, nodeName, resources, ports, state,
                newDesired, newReason, tasks, previousInstanceId, createTime, time, gpuDevices, healthy, readySince);
    }

    /**
     * Whether it serves: running, and its health checks (if any) pass. Only the state decides when the group has
     * no checks.
     */
    @JsonIgnore
    public boolean isReady() {
        return isLive() && state == InstanceState.RUNNING && !Boolean.FALSE.equals(healthy);
    }

    public Instance withHealth(Boolean newHealthy, Instant newReadySince) {
        return new Instance(id, app, job, group, index, jobVersion, nodeId, nodeName, resources, ports, state,
                desired, reason, tasks, previousInstanceId, createTime, modifyTime, gpuDevices, newHealthy,
                newReadySince);
    }

    public Instance withTasks(InstanceState newState, Map<String, TaskState> newTasks, String newReason, Instant time) {
        return new Instance(id, app, job, group, index, jobVersion, nodeId, nodeName, resources, ports, newState,
                desired, newReason, newTasks, previousInstanceId, createTime, time, gpuDevices, healthy, readySince);
    }
}

package io.herd.testkit;

import io.herd.api.DesiredStatus;
import io.herd.api.Group;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.api.Resources;
import io.herd.api.TaskState;
import io.herd.api.TaskStatus;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import static java.util.Objects.requireNonNull;

/**
 * Existing instances for tests: {@code Instances.instance(job, "web", 0).node(node).state(InstanceState.FAILED).build()}.
 * Resources and tasks come from the job's group and the version from the job; the instance is running on node
 * {@code n1} unless told otherwise. Ids are readable ({@code hello.web[0]#7}) and unique within the JVM.
 */
public final class Instances {
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private Instances() {}

    public static Builder instance(Job job, String groupName, int index) {
        Group group = job.group(groupName)
                .orElseThrow(() -> new IllegalArgumentException("job " + job.id() + " has no group " + groupName));
        return new Builder(job, group, index);
    }

    public static final class Builder {
        private String id;
        private final String app;
        private final String job;
        private final String group;
        private final int index;
        private long jobVersion;
        private String nodeId = "n1";
        private String nodeName = "n1";
        private Resources resources;
        private final Map<String, Integer> ports = new TreeMap<>();
        private InstanceState state = InstanceState.RUNNING;
        private DesiredStatus desired = DesiredStatus.RUN;
        private String reason;
        private final Map<String, TaskState> tasks = new TreeMap<>();
        private String previousInstanceId;
        private Instant createTime = FakeClock.DEFAULT_START;
        private Instant modifyTime;
        private List<Integer> gpuDevices = List.of();
        private Boolean healthy;
        private Instant readySince;

        private Builder(Job job, Group group, int index) {
            this.app = job.app();
            this.job = job.name();
            this.group = group.name();
            this.index = index;
            this.jobVersion = job.version();
            this.resources = group.resources();
            group.tasks().forEach(task -> tasks.put(task.name(), null));
        }

        public Builder id(String newId) {
            this.id = requireNonNull(newId, "id is null");
            return this;
        }

        public Builder jobVersion(long version) {
            this.jobVersion = version;
            return this;
        }

        public Builder node(Node node) {
            this.nodeId = node.id();
            this.nodeName = node.name();
            return this;
        }

        public Builder node(String newNodeId) {
            this.nodeId = requireNonNull(newNodeId, "node id is null");
            this.nodeName = newNodeId;
            return this;
        }

        public Builder resources(Resources newResources) {
            this.resources = newResources;
            return this;
        }

        /** The indices of the node's GPU devices the instance holds. */
        public Builder gpuDevices(Integer... devices) {
            this.gpuDevices = List.of(devices);
            return this;
        }

        public Builder port(String name, int port) {
            ports.put(name, port);
            return this;
        }

        public Builder state(InstanceState newState) {
            this.state = requireNonNull(newState, "state is null");
            return this;
        }

        public Builder desired(DesiredStatus newDesired) {
            this.desired = requireNonNull(newDesired, "desired is null");
            return this;
        }

        public Builder reason(String newReason) {
            this.reason = newReason;
            return this;
        }

        public Builder task(String name, TaskState taskState) {
            tasks.put(name, taskState);
            return this;
        }

        public Builder previousInstanceId(String previous) {
            this.previousInstanceId = previous;
            return this;
        }

        /** Also the modify time unless that is set; the scheduler calls the newest instance the latest created. */
        public Builder createTime(Instant time) {
            this.createTime = time;
            return this;
        }

        /** The health checks' verdict (null: the group has no checks). */
        public Builder healthy(Boolean newHealthy) {
            this.healthy = newHealthy;
            return this;
        }

        /** Since when it is ready (running, not unhealthy); defaults to null, which the scheduler reads as its create time. */
        public Builder readySince(Instant time) {
            this.readySince = time;
            return this;
        }

        public Builder modifyTime(Instant time) {
            this.modifyTime = time;
            return this;
        }

        public Instance build() {
            String effectiveId = id != null ? id
                    : job + "." + group + "[" + index + "]#" + SEQUENCE.incrementAndGet();
            Map<String, TaskState> effectiveTasks = new TreeMap<>();
            tasks.forEach((name, taskState) -> effectiveTasks.put(name, taskState != null ? taskState : taskStateFor(state)));
            return new Instance(effectiveId, app, job, group, index, jobVersion, nodeId, nodeName, resources, ports,
                    state, desired, reason, effectiveTasks, previousInstanceId, createTime,
                    modifyTime != null ? modifyTime : createTime, gpuDevices, healthy, readySince);
        }

        /** A task state that agrees with the instance state, so tests read as the agent would report. */
        private TaskState taskStateFor(InstanceState instanceState) {
            return switch (instanceState) {
                case PENDING -> TaskState.pending();
                case RUNNING -> new TaskState(TaskStatus.RUNNING, 1000L, null, null, null, 0, createTime, null);
                case COMPLETE -> new TaskState(TaskStatus.DEAD, null, 0, "Completed", null, 0, createTime, createTime);
                case FAILED -> new TaskState(TaskStatus.DEAD, null, 1, "Error", null, 0, createTime, createTime);
                case LOST -> new TaskState(TaskStatus.DEAD, null, null, "Lost", null, 0, createTime, null);
            };
        }
    }
}

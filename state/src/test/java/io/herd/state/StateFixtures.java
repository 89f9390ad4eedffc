package io.herd.state;

import io.herd.api.DesiredStatus;
import io.herd.api.Group;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.Job;
import io.herd.api.JobType;
import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.api.PortRange;
import io.herd.api.Resources;
import io.herd.api.Task;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Small builders for the model objects the state tests need. */
final class StateFixtures {
    static final Instant START = Instant.parse("2025-03-01T10:00:00Z");
    static final String APP = "shop_web";
    static final Resources SMALL = new Resources(250, 128L << 20, 0);

    private StateFixtures() {}

    static Instant at(long seconds) {
        return START.plusSeconds(seconds);
    }

    static Job job(String name) {
        return job(name, JobType.SERVICE, 1);
    }

    static Job job(String name, JobType type, int count) {
        Task task = new Task("main", "exec", Map.of("command", "/bin/sleep", "args", List.of("60")), Map.of(), SMALL,
                List.of("http"), null);
        Group group = new Group("web", count, List.of(), null, null, null, List.of(), List.of(task));
        return new Job(name, APP, type, 200, List.of(), List.of(group), 0, null, false);
    }

    static String jobId(String name) {
        return Job.id(APP, name);
    }

    static Node node(String id) {
        return new Node(id, "host-" + id, "127.0.0.1:7710", new Resources(4000, 8L << 30, 100L << 30),
                Map.of("zone", "a"), Set.of("exec"), PortRange.DEFAULT, NodeStatus.READY, null, null);
    }

    static Instance instance(String id, String jobName, String nodeId) {
        return new Instance(id, APP, jobName, "web", 0, 1, nodeId, "host-" + nodeId, SMALL, Map.of("http", 20000),
                InstanceState.PENDING, DesiredStatus.RUN, null, Map.of(), null, null, null);
    }
}

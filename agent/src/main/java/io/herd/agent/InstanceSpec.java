package io.herd.agent;

import io.herd.api.Group;
import io.herd.api.JobType;

import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * What an instance runs, which {@link io.herd.api.Instance} itself does not carry: its job's type, its group and,
 * for a stateful group, the id of each of its sticky volumes by name (the volume's directory on this node).
 */
public record InstanceSpec(JobType jobType, Group group, Map<String, String> volumeIds) {
    public InstanceSpec {
        requireNonNull(jobType, "jobType is null");
        requireNonNull(group, "group is null");
        volumeIds = volumeIds == null ? Map.of() : Map.copyOf(volumeIds);
    }

    /** A stateless instance. */
    public InstanceSpec(JobType jobType, Group group) {
        this(jobType, group, Map.of());
    }
}

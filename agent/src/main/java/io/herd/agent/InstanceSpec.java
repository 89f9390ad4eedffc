package io.herd.agent;

import io.herd.api.Group;
import io.herd.api.JobType;

import static java.util.Objects.requireNonNull;

/** What an instance runs, which {@link io.herd.api.Instance} itself does not carry: its job's type and its group. */
public record InstanceSpec(JobType jobType, Group group) {
    public InstanceSpec {
        requireNonNull(jobType, "jobType is null");
        requireNonNull(group, "group is null");
    }
}

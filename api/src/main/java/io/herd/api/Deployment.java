package io.herd.api;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * The roll-out of one job version (or a restart of one) onto its instances, group by group, under each group's
 * update policy. The scheduler creates and advances it inside its plans; the state keeps the newest ones per job.
 *
 * @param restartBefore for a restart ({@code herd restart}): instances of {@code restartGroups} created before this
 *                      time are replaced although their spec matches; null otherwise
 * @param restartGroups the groups a restart replaces (empty: every group)
 * @param revertedToVersion when this deployment failed and auto_revert registered an earlier spec again: the
 *                      version that registration got
 */
public record Deployment(
        String id,
        String jobId,
        long jobVersion,
        DeploymentStatus status,
        String description,
        Map<String, DeploymentGroup> groups,
        Instant restartBefore,
        Set<String> restartGroups,
        Long revertedToVersion,
        Instant createTime,
        Instant modifyTime) {
    public Deployment {
        requireNonNull(id, "id is null");
        requireNonNull(jobId, "jobId is null");
        status = status == null ? DeploymentStatus.RUNNING : status;
        groups = groups == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(groups));
        restartGroups = restartGroups == null ? Set.of() : Collections.unmodifiableSet(new java.util.TreeSet<>(restartGroups));
    }

    /** Whether a restart deployment replaces the instances of {@code group}. */
    public boolean restarts(String group) {
        return restartBefore != null && (restartGroups.isEmpty() || restartGroups.contains(group));
    }

    @JsonIgnore
    public boolean isActive() {
        return status.isActive();
    }

    public Deployment withStatus(DeploymentStatus newStatus, String newDescription, Instant time) {
        return new Deployment(id, jobId, jobVersion, newStatus, newDescription, groups, restartBefore, restartGroups,
                revertedToVersion, createTime, time);
    }

    public Deployment withGroups(Map<String, DeploymentGroup> newGroups, Instant time) {
        return new Deployment(id, jobId, jobVersion, status, description, newGroups, restartBefore, restartGroups,
                revertedToVersion, createTime, time);
    }

    public Deployment withRevertedToVersion(long version, String newDescription, Instant time) {
        return new Deployment(id, jobId, jobVersion, status, newDescription, groups, restartBefore, restartGroups,
                version, createTime, time);
    }
}

package io.herd.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A submitted job: the spec plus what the server adds ({@code version}, {@code submitTime}, {@code stopped}).
 * The spec parser leaves version 0 and submit time null; the server fills them when it registers the job.
 */
public record Job(
        String name,
        String app,
        JobType type,
        int priority,
        List<Constraint> constraints,
        List<Affinity> affinities,
        List<Group> groups,
        long version,
        Instant submitTime,
        boolean stopped,
        BatchPolicy batch,
        CronPolicy cron,
        List<Dependency> dependsOn,
        @JsonInclude(JsonInclude.Include.NON_NULL) GcPolicy gc) {
    public Job {
        requireNonNull(name, "name is null");
        requireNonNull(app, "app is null");
        requireNonNull(type, "type is null");
        constraints = constraints == null ? List.of() : List.copyOf(constraints);
        affinities = affinities == null ? List.of() : List.copyOf(affinities);
        groups = groups == null ? List.of() : List.copyOf(groups);
        dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
    }

    /**
     * A job without batch limits, cron schedule, dependencies or a garbage collection policy of its own (the
     * cluster default applies), as written before they existed.
     */
    public Job(String name, String app, JobType type, int priority, List<Constraint> constraints,
            List<Affinity> affinities, List<Group> groups, long version, Instant submitTime, boolean stopped) {
        this(name, app, type, priority, constraints, affinities, groups, version, submitTime, stopped, null, null,
                List.of(), null);
    }

    /** A job without a garbage collection policy of its own (the cluster default applies). */
    public Job(String name, String app, JobType type, int priority, List<Constraint> constraints,
            List<Affinity> affinities, List<Group> groups, long version, Instant submitTime, boolean stopped,
            BatchPolicy batch, CronPolicy cron, List<Dependency> dependsOn) {
        this(name, app, type, priority, constraints, affinities, groups, version, submitTime, stopped, batch, cron,
                dependsOn, null);
    }

    /** A job without job-level affinities. */
    public Job(String name, String app, JobType type, int priority, List<Constraint> constraints, List<Group> groups,
            long version, Instant submitTime, boolean stopped) {
        this(name, app, type, priority, constraints, List.of(), groups, version, submitTime, stopped);
    }

    /** The batch limits in effect: the spec's, or the defaults. */
    @JsonIgnore
    public BatchPolicy batchPolicy() {
        return batch == null ? BatchPolicy.DEFAULT : batch;
    }

    /**
     * A run of this cron job: a batch job named {@code <name>@<runSuffix>} with the same groups, limits and
     * dependencies, and no schedule.
     */
    public Job asRun(String runName) {
        return new Job(runName, app, JobType.BATCH, priority, constraints, affinities, groups, 0, null, false, batch,
                null, dependsOn);
    }

    /** {@code app/job}: unique in the cluster. */
    @JsonIgnore
    public String id() {
        return id(app, name);
    }

    public static String id(String app, String job) {
        return app + "/" + job;
    }

    public Optional<Group> group(String groupName) {
        return groups.stream().filter(group -> group.name().equals(groupName)).findFirst();
    }

    public Job withVersion(long newVersion, Instant newSubmitTime) {
        return new Job(name, app, type, priority, constraints, affinities, groups, newVersion, newSubmitTime, stopped,
                batch, cron, dependsOn, gc);
    }

    public Job withStopped(boolean newStopped) {
        return new Job(name, app, type, priority, constraints, affinities, groups, version, submitTime, newStopped,
                batch, cron, dependsOn, gc);
    }

    /** True when both describe the same desired workload, ignoring version bookkeeping. */
    public boolean sameSpecAs(Job other) {
        return name.equals(other.name) && app.equals(other.app) && type == other.type && priority == other.priority
                && constraints.equals(other.constraints) && affinities.equals(other.affinities)
                && groups.equals(other.groups) && java.util.Objects.equals(batch, other.batch)
                && java.util.Objects.equals(cron, other.cron) && dependsOn.equals(other.dependsOn)
                && java.util.Objects.equals(gc, other.gc);
    }
}

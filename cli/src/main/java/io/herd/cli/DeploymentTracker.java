package io.herd.cli;

import io.herd.api.Deployment;
import io.herd.api.DesiredStatus;
import io.herd.api.Evaluation;
import io.herd.api.EvaluationStatus;
import io.herd.api.Group;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.Job;
import io.herd.api.JobType;
import io.herd.api.PlacementFailure;
import io.herd.api.TaskStatus;
import io.herd.api.wire.JobStatus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Follows one submitted job version until it is deployed or cannot be, from successive {@link JobStatus}
 * snapshots. It does no I/O and reads no clock, so every decision is testable with hand-made snapshots.
 *
 * <p>Deployed means: the scheduler has processed the submission (no evaluation pending), every group has exactly
 * {@code count} instances that the server wants running and whose tasks all run (for batch jobs, or that completed), and
 * no instance the server asked to stop is still alive. Instance versions are deliberately not compared: a change
 * of {@code count} alone may keep instances of the previous version, and they are as good as new ones.
 *
 * <p>Services roll out through a deployment, which decides where the tracker cannot: a failed deployment
 * (possibly auto-reverted) is a failure, a deployment paused for its canaries ends the wait, and while instances of
 * an older version still run, or when the instances have health checks, only the deployment's success counts
 * (every instance healthy for min_healthy_time). Without checks and older instances, running is enough. A restart
 * ({@code herd restart}) follows its deployment alone.
 */
final class DeploymentTracker {
    private static final Comparator<Instance> ORDER = Comparator.comparing(Instance::group)
            .thenComparingInt(Instance::index)
            .thenComparing(instance -> instance.createTime() == null ? Instant.EPOCH : instance.createTime());

    private final long version;
    private final String evaluationId;
    private final Map<String, String> lastPhrases = new HashMap<>();
    private final Set<String> terminalAtStart = new HashSet<>();
    private boolean started;
    /** The deployment to follow (a restart's), or null to follow whichever deployment has the version. */
    private final String deploymentId;
    private String lastDeploymentLine;

    /**
     * @param version      the job version that was submitted
     * @param evaluationId the evaluation the submission created, or null when the spec was unchanged
     */
    DeploymentTracker(long version, String evaluationId) {
        this(version, evaluationId, null);
    }

    DeploymentTracker(long version, String evaluationId, String deploymentId) {
        this.version = version;
        this.evaluationId = evaluationId;
        this.deploymentId = deploymentId;
    }

    sealed interface Outcome {}

    record InProgress() implements Outcome {}

    record Deployed() implements Outcome {}

    record Blocked(List<PlacementFailure> failures, String description) implements Outcome {}

    record EvaluationFailed(String description) implements Outcome {}

    record InstanceFailed(Instance instance) implements Outcome {}

    /** Someone submitted a newer version while we were waiting. */
    record Superseded(long newVersion) implements Outcome {}

    record JobStopped() implements Outcome {}

    /** The deployment failed; {@code revertedToVersion} is set when auto_revert registered an earlier spec. */
    record DeploymentFailed(String description, Long revertedToVersion) implements Outcome {}

    /** The canaries are placed and healthy; the deployment waits for {@code herd promote}. */
    record Paused(String description) implements Outcome {}

    /**
     * What one snapshot tells: the progress lines to print (one per instance whose state changed), the outcome
     * so far, and how many of the {@code desired} instances are ready.
     */
    record Observation(List<String> lines, Outcome outcome, int ready, int desired) {}

    /** The depends_on line printed last, so that it is printed again only when it changes. */
    private String lastWaitingLine;

    Observation observe(JobStatus status) {
        requireNonNull(status, "status is null");
        Job job = status.job();
        List<Instance> instances = status.instances() == null ? List.of() : status.instances();
        List<String> lines = new ArrayList<>(progressLines(instances));
        String waiting = status.waitingFor().isEmpty() ? null
                : "  waiting for " + String.join(", ", status.waitingFor());
        if (waiting != null && !waiting.equals(lastWaitingLine)) {
            lines.add(waiting);
        }
        lastWaitingLine = waiting;
        started = true;
        Deployment deployment = ours(status.deployment());
        if (deployment != null) {
            String line = "  deployment " + Formats.shortId(deployment.id()) + " " + deployment.status().wireName()
                    + groupProgress(deployment);
            if (!line.equals(lastDeploymentLine)) {
                lines.add(line);
                lastDeploymentLine = line;
            }
        }

        int desired = 0;
        int ready = 0;
        boolean groupsReady = true;
        for (Group group : job.groups()) {
            long counted = instances.stream()
                    .filter(instance -> instance.group().equals(group.name()))
                    .filter(instance -> isReady(instance, job.type()))
                    .count();
            desired += group.count();
            ready += (int) Math.min(counted, group.count());
            groupsReady &= counted == group.count();
        }
        return new Observation(lines, outcome(job, instances, status.evaluations(), groupsReady, deployment), ready,
                desired);
    }

    /** The deployment this tracker follows, when the snapshot's newest deployment is it. */
    private Deployment ours(Deployment deployment) {
        if (deployment == null) {
            return null;
        }
        if (deploymentId != null) {
            return deployment.id().equals(deploymentId) ? deployment : null;
        }
        return deployment.jobVersion() == version && deployment.restartBefore() == null ? deployment : null;
    }

    private static String groupProgress(Deployment deployment) {
        List<String> groups = new ArrayList<>();
        deployment.groups().forEach((name, group) -> groups.add(name + " " + group.healthy() + "/" + group.desired()
                + " healthy" + (group.canaries() > 0 && !group.promoted() ? ", " + group.canaries() + " canary" : "")));
        return groups.isEmpty() ? "" : " (" + String.join("; ", groups) + ")";
    }

    private Outcome outcome(Job job, List<Instance> instances, List<Evaluation> evaluations, boolean groupsReady,
            Deployment deployment) {
        if (deployment != null) {
            switch (deployment.status()) {
                case FAILED -> {
                    return new DeploymentFailed(deployment.description(), deployment.revertedToVersion());
                }
                case PAUSED -> {
                    return new Paused(deployment.description());
                }
                case SUCCESSFUL -> {
                    return new Deployed();
                }
                case CANCELLED, RUNNING -> {
                    // decided below
                }
            }
        }
        if (job.version() > version) {
            return new Superseded(job.version());
        }
        if (job.version() < version) {
            return new InProgress(); // this replica has not applied the submission yet
        }
        if (job.stopped()) {
            return new JobStopped();
        }
        for (Instance instance : instances) {
            if (instance.state() == InstanceState.FAILED && instance.jobVersion() == version
                    && !terminalAtStart.contains(instance.id())) {
                return new InstanceFailed(instance);
            }
        }
        List<Evaluation> recent = evaluations == null ? List.of() : evaluations;
        // A pending evaluation that waits is a timer (a delayed replacement, a deployment's deadline), not work.
        boolean anyPending = recent.stream().anyMatch(evaluation -> evaluation.status() == EvaluationStatus.PENDING
                && evaluation.waitUntil() == null);
        // The submission's own evaluation is visible at the index the submission returned, so an empty list
        // means "not processed yet" only when the submission created one.
        boolean scheduled = !anyPending && (evaluationId == null || !recent.isEmpty());
        if (!scheduled) {
            return new InProgress();
        }
        Evaluation newest = recent.isEmpty() ? null : recent.getFirst();
        if (newest != null && newest.status() == EvaluationStatus.FAILED) {
            return new EvaluationFailed(newest.statusDescription());
        }
        if (newest != null && newest.status() == EvaluationStatus.BLOCKED) {
            return new Blocked(newest.failures(), newest.statusDescription());
        }
        boolean stopsPending = instances.stream()
                .anyMatch(instance -> instance.desired() != DesiredStatus.RUN && !instance.state().isTerminal());
        if (deployment != null && deployment.isActive()) {
            // Only the deployment can tell that a rolling update or a restart is over, or that a check passes.
            boolean onlyThisVersion = instances.stream().filter(Instance::isLive)
                    .allMatch(instance -> instance.jobVersion() == version);
            boolean hasChecks = instances.stream().filter(Instance::isLive)
                    .anyMatch(instance -> instance.healthy() != null);
            if (deploymentId != null || !onlyThisVersion || hasChecks) {
                return new InProgress();
            }
        }
        return groupsReady && !stopsPending ? new Deployed() : new InProgress();
    }

    /**
     * Running means every task runs: between a task's exit and its restart the instance still says running, and a
     * crash-looping instance must not count.
     */
    private static boolean isReady(Instance instance, JobType type) {
        if (instance.desired() != DesiredStatus.RUN) {
            return false;
        }
        boolean tasksRunning = instance.tasks().values().stream().allMatch(task -> task.status() == TaskStatus.RUNNING);
        return instance.state() == InstanceState.RUNNING && tasksRunning
                || type == JobType.BATCH && instance.state() == InstanceState.COMPLETE;
    }

    /**
     * One line per instance whose phrase changed since the last snapshot. On the first snapshot, instances that
     * already ended are history and stay quiet.
     */
    private List<String> progressLines(List<Instance> instances) {
        List<Instance> sorted = new ArrayList<>(instances);
        sorted.sort(ORDER);
        int nameWidth = sorted.stream().mapToInt(instance -> instance.name().length()).max().orElse(0);
        List<String> lines = new ArrayList<>();
        for (Instance instance : sorted) {
            String phrase = Formats.instancePhrase(instance);
            if (instance.jobVersion() != version) {
                phrase += " [version " + instance.jobVersion() + "]";
            }
            String previous = lastPhrases.put(instance.id(), phrase);
            if (!started && instance.state().isTerminal()) {
                terminalAtStart.add(instance.id());
                continue;
            }
            if (!phrase.equals(previous)) {
                lines.add(line(instance.name(), nameWidth, phrase));
            }
        }
        return lines;
    }

    static String line(String name, int nameWidth, String phrase) {
        return "  " + name + " ".repeat(Math.max(0, nameWidth - name.length())) + "  " + phrase;
    }
}

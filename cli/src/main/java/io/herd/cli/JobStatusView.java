package io.herd.cli;

import io.herd.api.DesiredStatus;
import io.herd.api.Evaluation;
import io.herd.api.EvaluationStatus;
import io.herd.api.Group;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.Job;
import io.herd.api.JobType;
import io.herd.api.PlacementFailure;
import io.herd.api.TaskState;
import io.herd.api.TaskStatus;
import io.herd.api.wire.JobStatus;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code herd status JOB} shows, as one value: printed as a table for people, serialized with
 * {@link io.herd.api.Json} (snake_case) for {@code -o json}. Instances are ordered by group and index, the newest
 * first among those sharing an index, so a replacement sits just above the instance it replaced.
 */
record JobStatusView(
        String id,
        String app,
        String name,
        JobType type,
        int priority,
        long version,
        boolean stopped,
        int desiredInstances,
        int runningInstances,
        int completeInstances,
        List<InstanceView> instances,
        List<PlacementFailureView> placementFailures,
        Instant nextReschedule,
        DeploymentView deployment,
        io.herd.api.BatchProgress batch,
        List<String> waitingFor,
        io.herd.api.wire.CronStatus cron,
        List<VolumeView> volumes,
        io.herd.api.GcPolicy gc) {

    /** A sticky volume of a stateful group: whose ({@code instance}, e.g. {@code db.mysql[0]}) and on which node. */
    record VolumeView(String name, String instance, String group, int index, String node, String nodeId,
            long sizeBytes, String id, Instant createTime) {}

    /** The job's newest deployment: which version, where it stands, and each group's progress. */
    record DeploymentView(String id, long version, io.herd.api.DeploymentStatus status, String description,
            Long revertedToVersion, Map<String, io.herd.api.DeploymentGroup> groups) {}

    record InstanceView(
            String id,
            String name,
            String group,
            int index,
            String node,
            String nodeId,
            InstanceState state,
            DesiredStatus desired,
            long version,
            Map<String, Integer> ports,
            String reason,
            Map<String, TaskView> tasks,
            Instant createTime,
            List<Integer> gpuDevices,
            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.ALWAYS)
            Boolean healthy) {}

    record TaskView(TaskStatus state, Long pid, Integer exitCode, int restarts, String reason, String message) {}

    /**
     * Why instances of a group are not placed, as of the newest evaluation the scheduler finished: per reason, how
     * many nodes it rejected for it ({@code reasons}; {@code rejections} lists the same most frequent first).
     * {@code preemption} says in words whether evicting lower-priority instances could help; null when unknown.
     */
    record PlacementFailureView(String group, int unplaced, int nodesEvaluated, Map<String, Integer> reasons,
            List<Rejection> rejections, String summary, String evaluationId, String preemption) {}

    record Rejection(String reason, int nodes) {}

    private static final Comparator<Instance> ORDER = Comparator.comparing(Instance::group)
            .thenComparingInt(Instance::index)
            .thenComparing(Comparator.comparing(
                    (Instance instance) -> instance.createTime() == null ? Instant.EPOCH : instance.createTime())
                    .reversed());

    static JobStatusView of(JobStatus status) {
        Job job = status.job();
        List<Instance> sorted = new ArrayList<>(status.instances() == null ? List.of() : status.instances());
        sorted.sort(ORDER);
        List<InstanceView> instances = sorted.stream().map(JobStatusView::instanceView).toList();
        List<Evaluation> evaluations = status.evaluations() == null ? List.of() : status.evaluations();
        List<PlacementFailureView> failures = placementFailures(job, sorted, evaluations);
        int desired = job.stopped() || job.type() == JobType.CRON ? 0 : job.groups().stream().mapToInt(Group::count).sum();
        int running = count(sorted, InstanceState.RUNNING);
        int complete = count(sorted, InstanceState.COMPLETE);
        // A failed instance is replaced after a delay; the evaluation that will do it waits until then. (A waiting
        // evaluation may also be a deployment's timer; only failed instances make it a replacement.)
        boolean anyFailed = sorted.stream().anyMatch(instance -> instance.state() == InstanceState.FAILED
                && instance.desired() == DesiredStatus.RUN);
        Instant nextReschedule = !anyFailed ? null : evaluations.stream()
                .filter(evaluation -> evaluation.status() == EvaluationStatus.PENDING && evaluation.waitUntil() != null)
                .map(Evaluation::waitUntil).min(Comparator.naturalOrder()).orElse(null);
        return new JobStatusView(job.id(), job.app(), job.name(), job.type(), job.priority(), job.version(),
                job.stopped(), desired, running, complete, instances, failures, nextReschedule,
                status.deployment() == null ? null : deploymentView(status.deployment()), status.batch(),
                status.waitingFor(), status.cron(),
                status.volumes().stream().map(JobStatusView::volumeView).toList(), job.gc());
    }

    private static VolumeView volumeView(io.herd.api.StickyVolume volume) {
        return new VolumeView(volume.name(), volume.slot(), volume.group(), volume.index(),
                volume.nodeName() == null || volume.nodeName().isBlank() ? volume.nodeId() : volume.nodeName(),
                volume.nodeId(), volume.sizeBytes(), volume.id(), volume.createTime());
    }

    private static DeploymentView deploymentView(io.herd.api.Deployment deployment) {
        return new DeploymentView(deployment.id(), deployment.jobVersion(), deployment.status(),
                deployment.description(), deployment.revertedToVersion(), deployment.groups());
    }

    /**
     * The failures of the newest evaluation the scheduler has finished (a newer one may still wait for a worker,
     * or for a failed instance's restart delay), for the groups that still lack instances: a group that has all
     * its instances since is not pending, whatever an older evaluation said.
     */
    private static List<PlacementFailureView> placementFailures(Job job, List<Instance> instances,
            List<Evaluation> evaluations) {
        if (job.stopped()) {
            return List.of();
        }
        Evaluation finished = evaluations.stream().filter(evaluation -> evaluation.status() != EvaluationStatus.PENDING)
                .findFirst().orElse(null);
        if (finished == null) {
            return List.of();
        }
        List<PlacementFailureView> views = new ArrayList<>();
        for (PlacementFailure failure : finished.failures()) {
            int live = (int) instances.stream()
                    .filter(instance -> instance.group().equals(failure.group()) && instance.isLive()).count();
            int wanted = job.group(failure.group()).map(Group::count).orElse(0);
            if (live < wanted) {
                views.add(failureView(failure, finished.id()));
            }
        }
        return views;
    }

    private static int count(List<Instance> instances, InstanceState state) {
        return (int) instances.stream()
                .filter(instance -> instance.desired() == DesiredStatus.RUN && instance.state() == state)
                .count();
    }

    private static InstanceView instanceView(Instance instance) {
        Map<String, TaskView> tasks = new LinkedHashMap<>();
        instance.tasks().forEach((name, task) -> tasks.put(name, taskView(task)));
        return new InstanceView(instance.id(), instance.name(), instance.group(), instance.index(),
                instance.nodeName() == null || instance.nodeName().isBlank() ? instance.nodeId() : instance.nodeName(),
                instance.nodeId(), instance.state(), instance.desired(), instance.jobVersion(),
                instance.ports(), instance.reason(), tasks, instance.createTime(), instance.gpuDevices(),
                instance.healthy());
    }

    private static TaskView taskView(TaskState task) {
        TaskStatus state = task.status() == null ? TaskStatus.PENDING : task.status();
        // A pid is only meaningful while the process runs; a dead task's last pid would mislead scripts.
        Long pid = state == TaskStatus.RUNNING ? task.pid() : null;
        return new TaskView(state, pid, task.exitCode(), task.restarts(), task.reason(), task.message());
    }

    private static PlacementFailureView failureView(PlacementFailure failure, String evaluationId) {
        List<Rejection> rejections = failure.reasons().entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .map(entry -> new Rejection(entry.getKey(), entry.getValue()))
                .toList();
        return new PlacementFailureView(failure.group(), failure.unplaced(), failure.nodesEvaluated(),
                failure.reasons(), rejections, failure.summary(), evaluationId,
                failure.preemptionSummary().orElse(null));
    }

    /** E.g. {@code version 3 running (web 2/5 healthy)}, then the deployment's description. */
    String deploymentLine() {
        StringBuilder line = new StringBuilder("version " + deployment.version() + " "
                + deployment.status().wireName());
        List<String> groups = new ArrayList<>();
        deployment.groups().forEach((name, group) -> groups.add(name + " " + group.healthy() + "/" + group.desired()
                + " healthy" + (group.canaries() > 0 ? ", " + group.canaries() + " canary"
                + (group.promoted() ? " promoted" : "") : "")));
        if (!groups.isEmpty()) {
            line.append(" (").append(String.join("; ", groups)).append(")");
        }
        if (deployment.description() != null) {
            line.append(": ").append(deployment.description());
        }
        return line.toString();
    }

    /** E.g. {@code keep 3 finished instances per index, for 1d}; what the job leaves out is the cluster's. */
    String gcLine() {
        String count = gc.keepFinished() == null ? "the cluster's number of" : Integer.toString(gc.keepFinished());
        String time = gc.keepFor() == null ? "" : ", for at most " + io.herd.api.Quantities.formatDuration(gc.keepFor());
        return "keep " + count + " finished instances per index" + time;
    }

    String status() {
        return stopped ? "stopped" : "running";
    }

    /** The header, the instance table and the pending reasons, as lines. */
    List<String> lines(Instant now) {
        List<String> lines = new ArrayList<>();
        TableWriter header = new TableWriter("", "");
        header.row("Job:", id);
        header.row("Type:", type.wireName());
        header.row("Priority:", priority);
        header.row("Version:", version);
        header.row("Status:", status() + ", " + runningInstances + "/" + desiredInstances + " instances running"
                + (completeInstances > 0 ? ", " + completeInstances + " complete" : ""));
        if (deployment != null) {
            header.row("Deployment:", deploymentLine());
        }
        if (batch != null) {
            // The outcome of a batch job (or cron run): complete, failed and why, with the attempts it took.
            header.row("Outcome:", batch.summary());
        }
        if (waitingFor != null && !waitingFor.isEmpty()) {
            header.row("Waiting:", "waiting for " + String.join(", ", waitingFor));
        }
        if (cron != null) {
            java.time.ZoneId zone = java.time.ZoneId.of(cron.timeZone());
            header.row("Schedule:", cron.schedule() + " (" + cron.timeZone() + ")");
            header.row("Next runs:", cron.nextRuns().isEmpty() ? "none" : cron.nextRuns().stream()
                    .map(next -> RunsCommand.formatTime(next, zone))
                    .collect(java.util.stream.Collectors.joining(", ")));
        }
        if (gc != null) {
            header.row("GC:", gcLine());
        }
        List<String> headerLines = header.lines();
        lines.addAll(headerLines.subList(1, headerLines.size()));
        lines.add("");
        if (instances.isEmpty()) {
            lines.add("No instances.");
        } else {
            // A GPUS column only for jobs that have GPUs: the device indices on the node.
            boolean gpus = instances.stream().anyMatch(instance -> !instance.gpuDevices().isEmpty());
            TableWriter table = gpus
                    ? new TableWriter("ID", "NAME", "NODE", "STATE", "DESIRED", "VERSION", "HEALTHY", "PORTS", "GPUS",
                            "AGE", "REASON")
                    : new TableWriter("ID", "NAME", "NODE", "STATE", "DESIRED", "VERSION", "HEALTHY", "PORTS", "AGE",
                            "REASON");
            for (InstanceView instance : instances) {
                List<Object> row = new ArrayList<>(List.of(Formats.shortId(instance.id()), instance.name(),
                        instance.node(), instance.state().wireName(), instance.desired().wireName(), instance.version(),
                        instance.healthy() == null ? "-" : instance.healthy() ? "yes" : "no",
                        Formats.ports(instance.ports())));
                if (gpus) {
                    row.add(instance.gpuDevices().isEmpty() ? "-" : instance.gpuDevices().stream()
                            .map(String::valueOf).collect(java.util.stream.Collectors.joining(",")));
                }
                row.add(Formats.age(instance.createTime(), now));
                row.add(instance.reason());
                table.row(row.toArray());
            }
            lines.addAll(table.lines());
        }
        if (!placementFailures.isEmpty()) {
            lines.add("");
            // One line per reason, most frequent first: "why is it pending?" at a glance, even with many reasons.
            for (PlacementFailureView failure : placementFailures) {
                if (failure.rejections().isEmpty()) {
                    lines.add("Pending: cannot place " + Formats.plural(failure.unplaced(), "instance") + " of group "
                            + failure.group() + ": " + failure.summary());
                    continue;
                }
                lines.add("Pending: cannot place " + Formats.plural(failure.unplaced(), "instance") + " of group "
                        + failure.group() + " (" + Formats.plural(failure.nodesEvaluated(), "node") + " evaluated):");
                int width = failure.rejections().stream()
                        .mapToInt(rejection -> Formats.plural(rejection.nodes(), "node").length()).max().orElse(0);
                for (Rejection rejection : failure.rejections()) {
                    String nodes = Formats.plural(rejection.nodes(), "node");
                    lines.add("  " + nodes + ":" + " ".repeat(width - nodes.length() + 1) + rejection.reason());
                }
                if (failure.preemption() != null) {
                    lines.add("  " + failure.preemption());
                }
            }
        }
        if (cron != null && !cron.runs().isEmpty()) {
            lines.add("");
            lines.add("Runs (newest first):");
            RunsCommand.table(cron, now).lines().forEach(line -> lines.add("  " + line));
        }
        if (!volumes.isEmpty()) {
            lines.add("");
            lines.add("Volumes (kept until 'herd down --purge'):");
            TableWriter table = new TableWriter("VOLUME", "INSTANCE", "NODE", "SIZE", "AGE");
            for (VolumeView volume : volumes) {
                table.row(volume.name(), volume.instance(), volume.node(), Formats.size(volume.sizeBytes()),
                        Formats.age(volume.createTime(), now));
            }
            table.lines().forEach(line -> lines.add("  " + line));
        }
        if (nextReschedule != null) {
            lines.add("");
            lines.add("Next attempt: failed instances are replaced at " + nextReschedule.truncatedTo(ChronoUnit.SECONDS)
                    + (nextReschedule.isAfter(now) ? " (in " + Formats.elapsed(Duration.between(now, nextReschedule)) + ")" : ""));
        }
        return lines;
    }
}

package io.herd.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How far a batch job (or a cron run) got, derived from its instances and the time alone, so that the scheduler,
 * the replicated state and the API all reach the same verdict without storing one.
 *
 * @param total instances the job needs to complete (the sum of its groups' counts)
 * @param completed indices whose newest instance completed on its own
 * @param running instances running now
 * @param attempts instances started for the job, replacements included (not counting ones the server stopped)
 * @param failures instances that failed or were lost
 * @param reason why the job failed; null unless {@code state} is failed
 * @param startTime when the first instance was placed; null before that
 * @param finishTime when the job completed or failed; null while it is pending or running
 */
public record BatchProgress(State state, int total, int completed, int running, int attempts, int failures,
        String reason, Instant startTime, Instant finishTime) {

    public enum State {
        PENDING, RUNNING, COMPLETE, FAILED;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static State fromWireName(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }

        public boolean isFinal() {
            return this == COMPLETE || this == FAILED;
        }
    }

    /** The reason the scheduler gives instances it stops at a batch job's deadline. */
    public static final String DEADLINE_EXCEEDED = "deadline exceeded";

    private static final Comparator<Instance> NEWEST_FIRST = Comparator
            .comparing((Instance instance) -> instance.createTime() == null ? Instant.MIN : instance.createTime())
            .reversed()
            .thenComparing(Instance::id);

    /**
     * @param job a batch job (the current version)
     * @param instances every instance of the job still kept, terminal ones included
     * @param now the time the deadline is measured against
     */
    public static BatchProgress of(Job job, List<Instance> instances, Instant now) {
        Map<String, Map<Integer, List<Instance>>> byIndex = new HashMap<>();
        Instant start = null;
        int running = 0;
        for (Instance instance : instances) {
            if (job.group(instance.group()).isEmpty()) {
                continue;
            }
            byIndex.computeIfAbsent(instance.group(), name -> new HashMap<>())
                    .computeIfAbsent(instance.index(), index -> new ArrayList<>()).add(instance);
            if (instance.createTime() != null && (start == null || instance.createTime().isBefore(start))) {
                start = instance.createTime();
            }
            if (instance.isLive() && instance.state() == InstanceState.RUNNING) {
                running++;
            }
        }
        BatchPolicy policy = job.batchPolicy();
        int total = 0;
        int completed = 0;
        int attempts = 0;
        int failures = 0;
        Instant lastCompletion = null;
        String failure = null;
        Instant failedAt = null;
        for (Group group : job.groups()) {
            total += group.count();
            Map<Integer, List<Instance>> indices = byIndex.getOrDefault(group.name(), Map.of());
            for (int index = 0; index < group.count(); index++) {
                List<Instance> ofIndex = indices.getOrDefault(index, List.of()).stream().sorted(NEWEST_FIRST).toList();
                int indexFailures = 0;
                for (Instance instance : ofIndex) {
                    if (instance.desired() == DesiredStatus.RUN) {
                        attempts++;
                    }
                    if (instance.state() == InstanceState.FAILED || instance.state() == InstanceState.LOST) {
                        failures++;
                        // A new version gets a fresh budget: a fixed spec submitted again must not inherit the
                        // failures of the broken one.
                        if (instance.jobVersion() == job.version()) {
                            indexFailures++;
                        }
                    }
                }
                if (!ofIndex.isEmpty() && isCompleted(ofIndex.getFirst())) {
                    completed++;
                    Instant finished = ofIndex.getFirst().modifyTime();
                    if (finished != null && (lastCompletion == null || finished.isAfter(lastCompletion))) {
                        lastCompletion = finished;
                    }
                } else if (failure == null && policy.maxAttempts() > 0 && indexFailures >= policy.maxAttempts()
                        && ofIndex.stream().noneMatch(Instance::isLive)) {
                    Instance last = ofIndex.getFirst();
                    failure = group.name() + "[" + index + "] failed " + indexFailures + " of max_attempts "
                            + policy.maxAttempts() + (last.reason() == null ? "" : ": " + last.reason());
                    failedAt = last.modifyTime();
                }
            }
        }
        if (completed == total) {
            return new BatchProgress(State.COMPLETE, total, completed, running, attempts, failures, null, start,
                    lastCompletion);
        }
        if (failure != null) {
            return new BatchProgress(State.FAILED, total, completed, running, attempts, failures, failure, start,
                    failedAt);
        }
        Instant deadline = deadline(job);
        if (deadline != null && !now.isBefore(deadline)) {
            return new BatchProgress(State.FAILED, total, completed, running, attempts, failures, "deadline "
                    + Quantities.formatDuration(policy.deadline()) + " exceeded", start, deadline);
        }
        return new BatchProgress(running > 0 || completed > 0 ? State.RUNNING : State.PENDING, total, completed,
                running, attempts, failures, null, start, null);
    }

    /** When the job's deadline passes (measured from its submission); null without one. */
    public static Instant deadline(Job job) {
        BatchPolicy policy = job.batchPolicy();
        return policy.deadline() == null || job.submitTime() == null ? null : job.submitTime().plus(policy.deadline());
    }

    private static boolean isCompleted(Instance newest) {
        return newest.state() == InstanceState.COMPLETE && newest.desired() == DesiredStatus.RUN;
    }

    /** {@code complete 3/3}, {@code failed: web[0] failed 3 of max_attempts 3: exit code 1}, {@code running 1/3}. */
    public String summary() {
        return switch (state) {
            case COMPLETE -> "complete " + completed + "/" + total;
            case FAILED -> "failed: " + reason;
            case RUNNING -> "running, " + completed + "/" + total + " complete";
            case PENDING -> "pending";
        } + (attempts > total ? " (" + attempts + " attempts)" : "");
    }
}

package io.herd.api.wire;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import io.herd.api.PlacementFailure;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Answer to {@code POST /v1/jobs/diff}: what submitting a spec would do, computed without changing anything.
 * {@code changes} are the field-level differences from the current version ({@link SpecDiff}); {@code instances}
 * and {@code failures} come from a dry run of the scheduler against the server's current state.
 *
 * @param currentVersion the job's current version, 0 when there is no such job
 * @param version        the version a submission would get; the current one when nothing changed
 * @param stopped        whether the current version is stopped (a submission starts it again)
 * @param changed        whether a submission would create a new version
 * @param instances      per instance, what would happen to it (placed, replaced, stopped, kept)
 * @param failures       per group, the instances that could not be placed and why
 * @param preemptions    instances of other, lower-priority jobs the placements would evict
 */
public record JobDiff(
        String jobId,
        long currentVersion,
        long version,
        boolean stopped,
        boolean changed,
        List<FieldChange> changes,
        List<InstanceChange> instances,
        List<PlacementFailure> failures,
        List<Preemption> preemptions) {
    public JobDiff(String jobId, long currentVersion, long version, boolean stopped, boolean changed,
            List<FieldChange> changes, List<InstanceChange> instances, List<PlacementFailure> failures) {
        this(jobId, currentVersion, version, stopped, changed, changes, instances, failures, List.of());
    }

    /** An instance of another job that would be evicted: {@code reason} names the instance that takes its room. */
    public record Preemption(String instanceId, String jobId, String name, String node, int priority, String reason) {}

    public JobDiff {
        requireNonNull(jobId, "jobId is null");
        changes = changes == null ? List.of() : List.copyOf(changes);
        instances = instances == null ? List.of() : List.copyOf(instances);
        failures = failures == null ? List.of() : List.copyOf(failures);
        preemptions = preemptions == null ? List.of() : List.copyOf(preemptions);
    }

    /** Whether there is no current version: the spec would create the job. */
    public boolean createsJob() {
        return currentVersion == 0;
    }

    public int count(Action action) {
        return (int) instances.stream().filter(instance -> instance.action() == action).count();
    }

    public int unplaceable() {
        return failures.stream().mapToInt(PlacementFailure::unplaced).sum();
    }

    /**
     * {@code 2 to place, 1 to replace, 0 to stop, 3 in place; 1 unplaceable: 1 node: insufficient memory}. Kept
     * instances are mentioned only when there are any.
     */
    public String summary() {
        List<String> parts = new ArrayList<>();
        parts.add(count(Action.PLACE) + " to place");
        parts.add(count(Action.REPLACE) + " to replace");
        parts.add(count(Action.STOP) + " to stop");
        if (count(Action.IN_PLACE) > 0) {
            parts.add(count(Action.IN_PLACE) + " in place");
        }
        if (count(Action.UNCHANGED) > 0) {
            parts.add(count(Action.UNCHANGED) + " unchanged");
        }
        if (!preemptions.isEmpty()) {
            parts.add(preemptions.size() + " to preempt");
        }
        String actions = String.join(", ", parts);
        if (failures.isEmpty()) {
            return actions;
        }
        if (failures.size() == 1) {
            return actions + "; " + failures.getFirst().unplaced() + " unplaceable: " + failures.getFirst().summary();
        }
        return actions + "; " + failures.stream()
                .map(failure -> failure.unplaced() + " unplaceable in " + failure.group() + ": " + failure.summary())
                .collect(Collectors.joining("; "));
    }

    /** Whether a field was added, removed or changed. */
    public enum ChangeType {
        ADDED("+"), REMOVED("-"), CHANGED("~");

        private final String symbol;

        ChangeType(String symbol) {
            this.symbol = symbol;
        }

        /** {@code +}, {@code -} or {@code ~}, as in {@code terraform plan}. */
        public String symbol() {
            return symbol;
        }

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static ChangeType fromWireName(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    /**
     * One difference between two specs. {@code path} names the field the way the job spec does, with list
     * entries that have names addressed by name: {@code groups[web].tasks[server].config.args}. {@code old} is
     * absent for an added field, {@code new} for a removed one.
     */
    public record FieldChange(
            ChangeType type,
            String path,
            @JsonProperty("old") JsonNode oldValue,
            @JsonProperty("new") JsonNode newValue) {
        public FieldChange {
            requireNonNull(type, "type is null");
            requireNonNull(path, "path is null");
        }
    }

    /** What a submission would do to one instance. */
    public enum Action {
        /** A new instance: a new index, or one whose previous instance ended (failed, lost). */
        PLACE,
        /** The running instance stops and a new one takes its index (the group's spec changed). */
        REPLACE,
        /** The instance stops (scaled down, group removed, duplicate). */
        STOP,
        /** The instance keeps running and joins the new version: what changed needs no restart (e.g. count). */
        IN_PLACE,
        /** Nothing changes for the instance. */
        UNCHANGED;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Action fromWireName(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    /**
     * @param name        {@code job.group[index]}
     * @param instanceId  the existing instance; null for {@link Action#PLACE}
     * @param node        the node the existing instance is on; null for {@link Action#PLACE}
     * @param targetNode  the node the scheduler would place the new instance on; null when nothing is placed,
     *                    also for a replacement that cannot be placed (then {@code failures} say why)
     * @param reason      why the instance stops or is replaced
     */
    public record InstanceChange(
            Action action,
            String group,
            int index,
            String name,
            String instanceId,
            String node,
            String targetNode,
            String reason) {
        public InstanceChange {
            requireNonNull(action, "action is null");
            requireNonNull(group, "group is null");
        }
    }
}

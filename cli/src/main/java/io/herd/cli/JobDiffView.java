package io.herd.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.herd.api.PlacementFailure;
import io.herd.api.wire.JobDiff;
import io.herd.api.wire.JobDiff.Action;
import io.herd.api.wire.JobDiff.ChangeType;
import io.herd.api.wire.JobDiff.FieldChange;
import io.herd.api.wire.JobDiff.InstanceChange;
import io.herd.api.wire.SpecDiff;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How {@code herd diff} (and {@code herd up} before it submits) shows a {@link JobDiff}, in the manner of
 * {@code terraform plan} and {@code nomad job plan}: a header, one {@code + - ~} line per field change (an added
 * or removed group or task is spelled out field by field), one line per instance that something happens to, why
 * anything cannot be placed, and the plan in one line.
 */
final class JobDiffView {
    /** How the server's dry run marks instances a rolling update replaces in a later step. */
    static final String LATER = "later in the rolling update";

    private JobDiffView() {}

    static List<String> lines(JobDiff diff) {
        List<String> lines = new ArrayList<>();
        lines.add(header(diff));
        if (!diff.changed()) {
            return lines;
        }
        List<String> changes = changeLines(diff.changes());
        if (!changes.isEmpty()) {
            lines.add("");
            lines.addAll(changes);
        }
        List<String> instances = instanceLines(diff.instances());
        if (!instances.isEmpty()) {
            lines.add("");
            lines.add("Instances:");
            lines.addAll(instances);
        }
        if (!diff.preemptions().isEmpty()) {
            lines.add("");
            lines.add("Preemptions (lower-priority instances evicted to make room):");
            for (JobDiff.Preemption preemption : diff.preemptions()) {
                lines.add("  ! " + preemption.jobId() + " " + preemption.name() + " on " + preemption.node()
                        + " (priority " + preemption.priority() + "): " + preemption.reason());
            }
        }
        if (!diff.failures().isEmpty()) {
            lines.add("");
            for (PlacementFailure failure : diff.failures()) {
                lines.add("  ! " + UpCommand.cannotPlace(failure));
            }
        }
        lines.add("");
        lines.add("Plan: " + diff.summary());
        return lines;
    }

    static String header(JobDiff diff) {
        if (diff.createsJob()) {
            return "Job " + diff.jobId() + " does not exist yet: it would be created as version " + diff.version();
        }
        if (!diff.changed()) {
            return "Job " + diff.jobId() + " is unchanged at version " + diff.currentVersion() + ": nothing to do";
        }
        if (diff.stopped()) {
            return "Job " + diff.jobId() + " version " + diff.currentVersion()
                    + " is stopped: it would start again as version " + diff.version();
        }
        return "Job " + diff.jobId() + ": version " + diff.currentVersion() + " -> " + diff.version();
    }

    /**
     * {@code ~ groups[web].count: 3 -> 5}; an added or removed object or named list is spelled out leaf by leaf
     * ({@code + groups[db].tasks[pg].driver: exec}), so that every line reads on its own.
     */
    static List<String> changeLines(List<FieldChange> changes) {
        List<String> lines = new ArrayList<>();
        for (FieldChange change : changes) {
            String symbol = "  " + change.type().symbol() + " ";
            switch (change.type()) {
                case CHANGED -> lines.add(symbol + change.path() + ": " + SpecDiff.format(change.path(), change.oldValue())
                        + " -> " + SpecDiff.format(change.path(), change.newValue()));
                case ADDED -> leaves(change.path(), change.newValue(), symbol, lines);
                case REMOVED -> leaves(change.path(), change.oldValue(), symbol, lines);
            }
        }
        return lines;
    }

    private static void leaves(String path, JsonNode value, String symbol, List<String> lines) {
        if (value.isObject()) {
            for (Map.Entry<String, JsonNode> field : value.properties()) {
                if (!(field.getValue().isContainerNode() && field.getValue().isEmpty())) {
                    leaves(SpecDiff.child(path, field.getKey()), field.getValue(), symbol, lines);
                }
            }
            return;
        }
        if (value.isArray() && isNamedList(value)) {
            for (JsonNode entry : value) {
                leaves(path + "[" + entry.get("name").asText() + "]", entry, symbol, lines);
            }
            return;
        }
        lines.add(symbol + path + ": " + SpecDiff.format(path, value));
    }

    private static boolean isNamedList(JsonNode array) {
        if (array.isEmpty()) {
            return false;
        }
        for (JsonNode entry : array) {
            if (!entry.isObject() || entry.get("name") == null || !entry.get("name").isTextual()) {
                return false;
            }
        }
        return true;
    }

    /** One line per instance something happens to; unchanged ones are left out (the plan line counts them). */
    static List<String> instanceLines(List<InstanceChange> instances) {
        List<InstanceChange> shown = instances.stream().filter(change -> change.action() != Action.UNCHANGED).toList();
        int nameWidth = shown.stream().mapToInt(change -> change.name().length()).max().orElse(0);
        List<String> lines = new ArrayList<>();
        for (InstanceChange change : shown) {
            String name = change.name() + " ".repeat(nameWidth - change.name().length());
            lines.add("  " + padSymbol(symbol(change.action())) + " " + name + "  " + phrase(change));
        }
        return lines;
    }

    private static String symbol(Action action) {
        return switch (action) {
            case PLACE -> ChangeType.ADDED.symbol();
            case REPLACE -> "-/+";
            case STOP -> ChangeType.REMOVED.symbol();
            case IN_PLACE -> ChangeType.CHANGED.symbol();
            case UNCHANGED -> "";
        };
    }

    private static String padSymbol(String symbol) {
        return symbol + " ".repeat(3 - symbol.length());
    }

    /** {@code replace on node-a (3f2a9c1b) -> node-b}, {@code stop on node-a (3f2a9c1b): scaled down}. */
    static String phrase(InstanceChange change) {
        String existing = change.node() + (change.instanceId() == null ? "" : " (" + Formats.shortId(change.instanceId()) + ")");
        return switch (change.action()) {
            case PLACE -> "place on " + change.targetNode();
            case REPLACE -> change.targetNode() != null
                    ? "replace on " + existing + " -> " + change.targetNode()
                    : change.reason() != null && change.reason().endsWith(LATER)
                    ? "replace on " + existing + " " + LATER
                    : "replace on " + existing + ", but the replacement cannot be placed";
            case STOP -> "stop on " + existing + (change.reason() == null ? "" : ": " + change.reason());
            case IN_PLACE -> "in place on " + existing;
            case UNCHANGED -> "unchanged on " + existing;
        };
    }
}

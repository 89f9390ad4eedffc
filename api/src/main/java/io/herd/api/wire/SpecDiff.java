package io.herd.api.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herd.api.Job;
import io.herd.api.Json;
import io.herd.api.Quantities;
import io.herd.api.wire.JobDiff.ChangeType;
import io.herd.api.wire.JobDiff.FieldChange;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Field-level differences between two job specs, found generically by walking their JSON trees (the wire form,
 * after the parser filled in defaults), so that every field a spec gains later is compared without code here.
 * What the server adds ({@code version}, {@code submit_time}, {@code stopped}) is ignored.
 *
 * <p>Lists whose entries all carry a unique {@code name} (groups, tasks, services) are matched by name, not by
 * position: inserting a group reports one added group, not every later group changed. A reordering of such a
 * list is reported as one change of the list's names. Other lists (args, ports, constraint values) are values:
 * any difference reports the whole list changed. An added or removed object is reported once, at its top.
 */
public final class SpecDiff {
    private static final Set<String> SERVER_FIELDS = Set.of("version", "submit_time", "stopped");
    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");
    private static final int SUMMARY_CHANGES = 3;

    private SpecDiff() {}

    /** The changes that turn {@code before} into {@code after}; either may be null (no job): all added or removed. */
    public static List<FieldChange> between(Job before, Job after) {
        List<FieldChange> changes = new ArrayList<>();
        walk("", tree(before), tree(after), changes);
        return changes;
    }

    /**
     * One line for people: {@code groups[web].count 3 -> 5, groups[web].tasks[server].config.args changed}, at
     * most three changes and how many more; {@code no spec change} when there are none.
     */
    public static String summary(List<FieldChange> changes) {
        if (changes.isEmpty()) {
            return "no spec change";
        }
        List<String> parts = new ArrayList<>();
        for (FieldChange change : changes.subList(0, Math.min(SUMMARY_CHANGES, changes.size()))) {
            parts.add(describe(change));
        }
        String line = String.join(", ", parts);
        int more = changes.size() - SUMMARY_CHANGES;
        return more > 0 ? line + " and " + more + " more" : line;
    }

    /** {@code groups[web].count 3 -> 5}, {@code groups[db] added}, {@code groups[web].tasks[server].config.args changed}. */
    public static String describe(FieldChange change) {
        return switch (change.type()) {
            case ADDED -> change.path() + " added";
            case REMOVED -> change.path() + " removed";
            case CHANGED -> isScalar(change.oldValue()) && isScalar(change.newValue())
                    ? change.path() + " " + format(change.path(), change.oldValue()) + " -> "
                            + format(change.path(), change.newValue())
                    : change.path() + " changed";
        };
    }

    /**
     * A value as people write it in a spec: strings bare (quoted when empty or padded), sizes and cpu in their
     * units ({@code 256Mi}, {@code 500m}) where the wire has bytes and millicores, anything else as compact JSON.
     */
    public static String format(String path, JsonNode value) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return "null";
        }
        String field = lastField(path);
        if (value.isIntegralNumber() && field.endsWith("_bytes")) {
            return Quantities.formatSize(value.asLong());
        }
        if (value.isIntegralNumber() && field.equals("cpu_millis")) {
            return Quantities.formatCpu(value.asLong());
        }
        if (value.isTextual()) {
            String text = value.asText();
            return text.isEmpty() || !text.strip().equals(text) ? value.toString() : text;
        }
        return value.toString();
    }

    /** The path of a field of an object at {@code path}: {@code a.b}, or {@code a["x.y"]} for an unusual key. */
    public static String child(String path, String key) {
        if (!PLAIN_KEY.matcher(key).matches()) {
            return path + "[" + Json.write(key) + "]";
        }
        return path.isEmpty() ? key : path + "." + key;
    }

    private static boolean isScalar(JsonNode value) {
        return value != null && value.isValueNode();
    }

    private static String lastField(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }

    private static JsonNode tree(Job job) {
        if (job == null) {
            return Json.mapper().createObjectNode();
        }
        ObjectNode tree = Json.mapper().valueToTree(job);
        tree.remove(SERVER_FIELDS);
        return tree;
    }

    private static void walk(String path, JsonNode before, JsonNode after, List<FieldChange> changes) {
        boolean hasBefore = before != null && !before.isMissingNode() && !before.isNull();
        boolean hasAfter = after != null && !after.isMissingNode() && !after.isNull();
        if (!hasBefore && !hasAfter || hasBefore && hasAfter && before.equals(after)) {
            return;
        }
        if (!hasBefore) {
            if (!isEmptyContainer(after)) {
                changes.add(new FieldChange(ChangeType.ADDED, path, null, after));
            }
            return;
        }
        if (!hasAfter) {
            if (!isEmptyContainer(before)) {
                changes.add(new FieldChange(ChangeType.REMOVED, path, before, null));
            }
            return;
        }
        if (before.isObject() && after.isObject()) {
            // In the new spec's order, then what it no longer has.
            Set<String> keys = new LinkedHashSet<>();
            after.fieldNames().forEachRemaining(keys::add);
            before.fieldNames().forEachRemaining(keys::add);
            for (String key : keys) {
                walk(child(path, key), before.get(key), after.get(key), changes);
            }
            return;
        }
        if (before.isArray() && after.isArray()) {
            Map<String, JsonNode> beforeByName = byName(before);
            Map<String, JsonNode> afterByName = byName(after);
            if (beforeByName != null && afterByName != null) {
                walkNamed(path, beforeByName, afterByName, changes);
                return;
            }
        }
        changes.add(new FieldChange(ChangeType.CHANGED, path, before, after));
    }

    private static void walkNamed(String path, Map<String, JsonNode> before, Map<String, JsonNode> after,
            List<FieldChange> changes) {
        List<String> commonBefore = before.keySet().stream().filter(after::containsKey).toList();
        List<String> commonAfter = after.keySet().stream().filter(before::containsKey).toList();
        if (!commonBefore.equals(commonAfter)) {
            changes.add(new FieldChange(ChangeType.CHANGED, path, names(commonBefore), names(commonAfter)));
        }
        for (Map.Entry<String, JsonNode> entry : after.entrySet()) {
            walk(path + "[" + entry.getKey() + "]", before.get(entry.getKey()), entry.getValue(), changes);
        }
        for (Map.Entry<String, JsonNode> entry : before.entrySet()) {
            if (!after.containsKey(entry.getKey())) {
                walk(path + "[" + entry.getKey() + "]", entry.getValue(), null, changes);
            }
        }
    }

    /** The entries by name when every entry is an object with a unique textual name; null otherwise. */
    private static Map<String, JsonNode> byName(JsonNode array) {
        Map<String, JsonNode> entries = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (Iterator<JsonNode> it = array.elements(); it.hasNext(); ) {
            JsonNode entry = it.next();
            JsonNode name = entry.get("name");
            if (!entry.isObject() || name == null || !name.isTextual() || !seen.add(name.asText())) {
                return null;
            }
            entries.put(name.asText(), entry);
        }
        return entries;
    }

    private static JsonNode names(List<String> names) {
        return Json.mapper().valueToTree(names);
    }

    private static boolean isEmptyContainer(JsonNode value) {
        return value.isContainerNode() && value.isEmpty();
    }
}

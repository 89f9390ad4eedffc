package io.herd.cli;

import io.herd.api.DesiredStatus;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.TaskState;
import io.herd.api.TaskStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** How the CLI writes ids, ports, ages and elapsed times. */
final class Formats {
    static final int SHORT_ID_LENGTH = 8;

    private Formats() {}

    static String shortId(String id) {
        return id == null ? "" : id.length() <= SHORT_ID_LENGTH ? id : id.substring(0, SHORT_ID_LENGTH);
    }

    /** {@code http=20513,admin=20514}; empty when there are none. */
    static String ports(Map<String, Integer> ports) {
        return ports.entrySet().stream().map(entry -> entry.getKey() + "=" + entry.getValue())
                .collect(Collectors.joining(","));
    }

    /** {@code a=1,b=2}. */
    static String labels(Map<String, String> labels) {
        return labels.entrySet().stream().map(entry -> entry.getKey() + "=" + entry.getValue())
                .collect(Collectors.joining(","));
    }

    /** Age as kubectl shows it: {@code 42s}, {@code 5m}, {@code 3h}, {@code 2d}. */
    static String age(Instant since, Instant now) {
        if (since == null) {
            return "";
        }
        long seconds = Math.max(0, Duration.between(since, now).toSeconds());
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m";
        }
        if (seconds < 86_400) {
            return seconds / 3600 + "h";
        }
        return seconds / 86_400 + "d";
    }

    /** An elapsed time with one decimal under a minute ({@code 2.4s}), else {@code 1m12s}. */
    static String elapsed(Duration duration) {
        long millis = Math.max(0, duration.toMillis());
        if (millis < 60_000) {
            return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
        }
        long seconds = millis / 1000;
        long hours = seconds / 3600;
        long minutes = seconds / 60 % 60;
        String text = (hours > 0 ? hours + "h" : "") + minutes + "m";
        return seconds % 60 == 0 ? text : text + seconds % 60 + "s";
    }

    /** A size for people: {@code 4Gi} when exact, else one decimal of the largest unit ({@code 23.5Gi}). */
    static String size(long bytes) {
        String[] units = {"Ti", "Gi", "Mi", "Ki"};
        for (int i = 0; i < units.length; i++) {
            long unit = 1L << (10 * (units.length - i));
            if (bytes >= unit) {
                return bytes % unit == 0 ? bytes / unit + units[i]
                        : String.format(Locale.ROOT, "%.1f%s", (double) bytes / unit, units[i]);
            }
        }
        return bytes + "B";
    }

    static String plural(int count, String noun) {
        return count + " " + noun + (count == 1 ? "" : "s");
    }

    /**
     * What an instance is doing, in one phrase: {@code running on node-a (pid 41237, port http=20513)},
     * {@code failed on node-a: OOMKilled}, {@code stopping on node-a}.
     */
    static String instancePhrase(Instance instance) {
        String node = instance.nodeName() == null || instance.nodeName().isBlank()
                ? shortId(instance.nodeId()) : instance.nodeName();
        boolean stopping = instance.desired() != DesiredStatus.RUN && !instance.state().isTerminal();
        String state = stopping ? "stopping" : instance.state().wireName();
        StringBuilder phrase = new StringBuilder(state).append(" on ").append(node);
        List<String> facts = new ArrayList<>();
        if (instance.state() == InstanceState.RUNNING && !stopping) {
            String pids = pids(instance.tasks());
            if (!pids.isEmpty()) {
                facts.add(pids);
            }
            facts.addAll(tasksNotRunning(instance.tasks()));
            if (!instance.ports().isEmpty()) {
                facts.add((instance.ports().size() == 1 ? "port " : "ports ") + ports(instance.ports()));
            }
            int restarts = instance.tasks().values().stream().mapToInt(TaskState::restarts).sum();
            if (restarts > 0) {
                facts.add(plural(restarts, "restart"));
            }
        }
        if (instance.state() == InstanceState.COMPLETE) {
            String exitCodes = exitCodes(instance.tasks());
            if (!exitCodes.isEmpty()) {
                facts.add(exitCodes);
            }
        }
        if (!facts.isEmpty()) {
            phrase.append(" (").append(String.join(", ", facts)).append(')');
        }
        if (instance.reason() != null && !instance.reason().isBlank()
                && (instance.state().isTerminal() || stopping)) {
            phrase.append(": ").append(instance.reason());
        }
        return phrase.toString();
    }

    /** {@code pid 41237} for one task, {@code pids server=41237,sidecar=41240} for several. */
    static String pids(Map<String, TaskState> tasks) {
        Map<String, Long> running = new TreeMap<>();
        tasks.forEach((name, task) -> {
            if (task.status() == TaskStatus.RUNNING && task.pid() != null) {
                running.put(name, task.pid());
            }
        });
        if (running.isEmpty()) {
            return "";
        }
        if (running.size() == 1 && tasks.size() == 1) {
            return "pid " + running.values().iterator().next();
        }
        return "pids " + running.entrySet().stream().map(entry -> entry.getKey() + "=" + entry.getValue())
                .collect(Collectors.joining(","));
    }

    /** {@code exited with code 3, restarting} for each task of a running instance that does not run right now. */
    private static List<String> tasksNotRunning(Map<String, TaskState> tasks) {
        List<String> facts = new ArrayList<>();
        tasks.forEach((name, task) -> {
            String prefix = tasks.size() == 1 ? "" : name + " ";
            if (task.status() == TaskStatus.PENDING) {
                facts.add(prefix + (task.restarts() > 0 ? "restarting" : "starting"));
            } else if (task.status() == TaskStatus.DEAD) {
                String exit = task.exitCode() != null ? "exited with code " + task.exitCode()
                        : task.reason() != null ? task.reason() : "exited";
                facts.add(prefix + exit + ", restarting");
            }
        });
        return facts;
    }

    private static String exitCodes(Map<String, TaskState> tasks) {
        List<String> codes = new ArrayList<>();
        tasks.forEach((name, task) -> {
            if (task.exitCode() != null) {
                codes.add(tasks.size() == 1 ? "exit " + task.exitCode() : name + " exit " + task.exitCode());
            }
        });
        return String.join(", ", codes);
    }
}

package io.herd.cli;

import io.herd.api.ErrorCode;
import io.herd.api.HerdException;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/** The {@code INSTANCE[/TASK]} argument of {@code herd logs}: an instance id or unique prefix, and maybe a task. */
record LogTarget(String instance, Optional<String> task) {
    static LogTarget parse(String text) {
        String trimmed = text == null ? "" : text.trim();
        if (trimmed.isEmpty()) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT,
                    "give an instance id (or a unique prefix of one), optionally followed by /TASK");
        }
        int slash = trimmed.indexOf('/');
        if (slash < 0) {
            return new LogTarget(trimmed, Optional.empty());
        }
        String instance = trimmed.substring(0, slash);
        String task = trimmed.substring(slash + 1);
        if (instance.isEmpty()) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "'" + text + "' has no instance id before '/'");
        }
        if (task.isEmpty()) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT,
                    "'" + text + "' has no task name after '/'; write INSTANCE or INSTANCE/TASK");
        }
        if (task.contains("/")) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT,
                    "'" + text + "' has more than one '/'; write INSTANCE or INSTANCE/TASK");
        }
        return new LogTarget(instance, Optional.of(task));
    }

    /**
     * The task to read: the one asked for, or the only one there is. {@code tasks} are the instance's task
     * names as far as they are known (empty when unknown, in which case only an explicit task works).
     */
    String chooseTask(String instanceName, Collection<String> tasks) {
        List<String> names = List.copyOf(new TreeSet<>(tasks));
        if (task.isPresent()) {
            if (!names.isEmpty() && !names.contains(task.get())) {
                throw new HerdException(ErrorCode.TASK_NOT_FOUND, "instance " + instanceName + " has no task "
                        + task.get() + " (tasks: " + String.join(", ", names) + ")");
            }
            return task.get();
        }
        if (names.size() == 1) {
            return names.getFirst();
        }
        if (names.isEmpty()) {
            throw new HerdException(ErrorCode.TASK_NOT_FOUND,
                    "instance " + instanceName + " has no known tasks; give one as " + instance + "/TASK");
        }
        throw new HerdException(ErrorCode.INVALID_ARGUMENT, "instance " + instanceName + " has "
                + names.size() + " tasks (" + String.join(", ", names) + "); choose one as " + instance + "/TASK");
    }
}

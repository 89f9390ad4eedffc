package io.herd.agent.driver;

import io.herd.api.Resources;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Everything a driver needs to start one run of a task; the command, args and environment are final (the
 * {@code ${HERD_PORT_HTTP}}-style references are already expanded).
 *
 * @param cgroupName unique per task on this node, e.g. {@code <instanceId>-<task>}
 * @param exitFile   where the shim records the exit status so a later agent process can learn it
 */
public record TaskLaunch(
        String cgroupName,
        String command,
        List<String> args,
        Map<String, String> environment,
        Path taskDir,
        Path stdout,
        Path stderr,
        Path exitFile,
        Resources resources) {
    public TaskLaunch {
        requireNonNull(cgroupName, "cgroupName is null");
        requireNonNull(command, "command is null");
        args = List.copyOf(args);
        environment = Map.copyOf(environment);
        requireNonNull(taskDir, "taskDir is null");
        requireNonNull(stdout, "stdout is null");
        requireNonNull(stderr, "stderr is null");
        requireNonNull(exitFile, "exitFile is null");
        resources = resources == null ? Resources.ZERO : resources;
    }
}

package io.herd.agent.health;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code command args} with the instance's environment in {@code workingDirectory}: exit code 0 passes; a
 * command still running at the timeout is killed (with its children) and fails. Its output is discarded.
 */
public record ExecProbe(String command, List<String> args, Map<String, String> environment, Path workingDirectory)
        implements Probe {
    public ExecProbe {
        args = List.copyOf(args);
        environment = Map.copyOf(environment);
    }

    @Override
    public Result run(Duration timeout) throws InterruptedException {
        List<String> commandLine = new ArrayList<>();
        commandLine.add(command);
        commandLine.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(commandLine)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().putAll(environment);
        if (workingDirectory != null && workingDirectory.toFile().isDirectory()) {
            builder.directory(workingDirectory.toFile());
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return Result.fail("cannot run " + command + ": " + e.getMessage());
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                return Result.fail(command + " did not finish within " + timeout.toMillis() + "ms");
            }
        } catch (InterruptedException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw e;
        }
        int exitCode = process.exitValue();
        return exitCode == 0 ? Result.pass(command + " exited 0") : Result.fail(command + " exited " + exitCode);
    }
}
